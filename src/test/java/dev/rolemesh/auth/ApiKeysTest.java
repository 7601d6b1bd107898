package dev.rolemesh.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

  @Test
  void matchesAnyConfiguredKeyExactly() {
    ApiKeys keys = new ApiKeys(List.of("alpha", "beta"));

    assertThat(keys.required()).isTrue();
    assertThat(keys.matches("alpha")).isTrue();
    assertThat(keys.matches("beta")).isTrue();
    assertThat(keys.matches("alph")).isFalse();
    assertThat(keys.matches("alpha ")).isFalse();
    assertThat(keys.matches("")).isFalse();
    assertThat(keys.matches(null)).isFalse();
  }

  @Test
  void noKeysMeansNotRequired() {
    assertThat(new ApiKeys(List.of()).required()).isFalse();
  }

  @Test
  void aMatchedKeyIsNamedByItsPlaceNeverByItself() {
    ApiKeys keys = new ApiKeys("client_api_keys", List.of("alpha", "beta"));

    assertThat(keys.match("beta")).isEqualTo(new Principal("client_api_keys[1]", null));
    assertThat(keys.match("gamma")).isNull();
    assertThat(keys.match(null)).isNull();
  }
}
