package dev.rolemesh.config;

import static dev.rolemesh.config.YamlFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code models.<alias>.fallbacks}: read in order, and refused on one line naming the entry when it is wrong. */
class FallbacksConfigTest {

  @TempDir Path dir;
  private final List<String> warnings = new ArrayList<>();

  private GatewayConfig load(String fallbacks) throws ConfigException {
    Path file = write(dir, "models.yaml", """
        models:
          coder: {type: discovered%s}
          writer: {type: proxy, proxy_url: "http://127.0.0.1:8012"%s}
          planner: {type: proxy, proxy_url: "http://127.0.0.1:8011"%s}
        """.formatted(fallbacks.split("\\|", -1)[0], fallbacks.split("\\|", -1)[1],
        fallbacks.split("\\|", -1)[2]));
    return ConfigLoader.load(file, null, Map.of(), warnings::add);
  }

  private void assertRefused(String fallbacks, String message) {
    assertThatThrownBy(() -> load(fallbacks)).isInstanceOf(ConfigException.class)
        .hasMessage(dir.resolve("models.yaml") + ": " + message);
  }

  @Test
  void fallbacksAreReadInOrderAndDefaultToNone() throws ConfigException {
    GatewayConfig config = load(", fallbacks: [writer, planner]|, fallbacks: [planner]|");

    assertThat(config.models().get("coder").fallbacks()).containsExactly("writer", "planner");
    assertThat(config.models().get("writer").fallbacks()).containsExactly("planner");
    assertThat(config.models().get("planner").fallbacks()).isEmpty();
    assertThat(warnings).isEmpty();
  }

  @Test
  void anUnknownAliasIsNamedWithTheKnownOnes() {
    assertRefused(", fallbacks: [writer, critic]||",
        "models.coder.fallbacks[1]: is not a model alias (coder, writer, planner), got \"critic\"");
  }

  @Test
  void aModelCannotFallBackToItself() {
    assertRefused("|, fallbacks: [planner, writer]|", "models.writer.fallbacks[1]: a model cannot be its own fallback");
  }

  @Test
  void anAliasListedTwiceIsRefused() {
    assertRefused(", fallbacks: [writer, writer]||", "models.coder.fallbacks[1]: \"writer\" is listed twice");
  }

  @Test
  void aChainThatLoopsIsRefusedNamingTheLoop() {
    assertRefused(", fallbacks: [writer]|, fallbacks: [planner]|, fallbacks: [coder]",
        "models.planner.fallbacks[0]: \"coder\" leads back to itself: coder -> writer -> planner -> coder"
            + " (a fallback chain must not loop)");
    assertRefused("|, fallbacks: [planner]|, fallbacks: [writer]",
        "models.planner.fallbacks[0]: \"writer\" leads back to itself: writer -> planner -> writer"
            + " (a fallback chain must not loop)");
  }

  @Test
  void fallbacksMustBeAListOfAliases() {
    assertRefused(", fallbacks: writer||",
        "models.coder.fallbacks: must be a list of strings like [\"a\", \"b\"], got \"writer\"");
    assertRefused(", fallbacks: [7]||", "models.coder.fallbacks[0]: must be a string, got 7 (put it in quotes)");
  }

  @Test
  void aChangedFallbackListIsAChangedRoleOnReload() throws ConfigException {
    GatewayConfig running = load("||");
    GatewayConfig loaded = load(", fallbacks: [writer]||");

    assertThat(ConfigDiff.between(running, loaded).changed()).containsExactly("coder");
  }
}
