package dev.rolemesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeySuggestionsTest {

  private static final List<String> MODEL_KEYS = List.of("type", "proxy_url", "api_key", "defaults", "timeouts");

  @Test
  void aSwapOrAMissingLetterFindsTheKey() {
    assertThat(KeySuggestions.closest("proxy_ulr", MODEL_KEYS)).contains("proxy_url");
    assertThat(KeySuggestions.closest("timout", MODEL_KEYS)).contains("timeouts");
    assertThat(KeySuggestions.closest("Proxy_URL", MODEL_KEYS)).contains("proxy_url");
  }

  @Test
  void shortKeysNeedACloserMatchAndUnrelatedKeysGetNone() {
    assertThat(KeySuggestions.closest("prot", List.of("port", "host"))).contains("port");
    assertThat(KeySuggestions.closest("post", List.of("host"))).contains("host");
    assertThat(KeySuggestions.closest("pst", List.of("host"))).isEmpty();
    assertThat(KeySuggestions.closest("colour", MODEL_KEYS)).isEmpty();
    assertThat(KeySuggestions.closest("type", MODEL_KEYS)).as("a key is no misspelling of itself").isEmpty();
  }

  @Test
  void distanceCountsANeighbourSwapAsOneEdit() {
    assertThat(KeySuggestions.distance("ulr", "url")).isEqualTo(1);
    assertThat(KeySuggestions.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(KeySuggestions.distance("", "abc")).isEqualTo(3);
  }
}
