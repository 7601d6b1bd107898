package dev.rolemesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** configs/models.example.yaml is what new users copy, so it and its commented-out aliases must stay valid. */
class ExampleConfigTest {

  private static final Path EXAMPLE = Path.of("configs", "models.example.yaml");

  // A commented-out YAML line inside models:, such as "  # chat:" or "  #   type: proxy"; prose never has "word:".
  private static final Pattern COMMENTED_YAML = Pattern.compile("(?m)^  # ( *[a-z_]+:( .*)?)$");

  @TempDir Path dir;
  private final List<String> warnings = new ArrayList<>();

  @Test
  void loadsAsShipped() throws ConfigException {
    GatewayConfig config = ConfigLoader.load(EXAMPLE, null, Map.of(), warnings::add);

    assertThat(config.models().keySet()).containsExactly("planner", "writer");
    assertThat(config.defaultModel()).isEqualTo("planner");
    assertThat(config.auth().clientKeys()).extracting(ClientKey::name).containsExactly("client_api_keys[0]");
    assertThat(warnings).isEmpty();
  }

  @Test
  void commentedOutAliasesLoadOnceUncommented() throws IOException, ConfigException {
    String text = Files.readString(EXAMPLE);
    int models = text.indexOf("\nmodels:\n");
    String uncommented = text.substring(0, models) + COMMENTED_YAML.matcher(text.substring(models)).replaceAll("  $1");
    Path file = YamlFixtures.write(dir, "models.yaml", uncommented);

    GatewayConfig config = ConfigLoader.load(file, null, Map.of("CODER_UPSTREAM_KEY", "k"), warnings::add);

    assertThat(config.models().keySet()).containsExactly("planner", "writer", "chat", "coder", "reviewer");
    assertThat(config.models().get("chat").defaults()).containsEntry("model", "dolphin3:latest");
    assertThat(config.models().get("reviewer").target())
        .isEqualTo(new ModelTarget.Discovered("reviewer", ModelTarget.Strategy.ROUND_ROBIN));
    assertThat(warnings).isEmpty();
  }
}
