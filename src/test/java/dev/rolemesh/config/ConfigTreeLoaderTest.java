package dev.rolemesh.config;

import static dev.rolemesh.config.YamlFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The generic pipeline shared with the node agent: parse, merge an override, expand the environment. */
class ConfigTreeLoaderTest {

  private static final String BASE = """
      gateway:
        host: 127.0.0.1
        port: 8000
        timeouts: {connect_s: 5, read_s: 300, total_s: 600}
      auth:
        client_api_keys: [base-1, base-2]
      models:
        planner: {type: proxy, proxy_url: "http://127.0.0.1:8011", defaults: {temperature: 0}}
        writer: {type: proxy, proxy_url: "http://127.0.0.1:8012"}
      """;

  @TempDir Path dir;
  private final List<String> warnings = new ArrayList<>();

  private Map<String, Object> tree(Path base, Path override, Map<String, String> env) throws ConfigException {
    return ConfigTreeLoader.load(base, override, env, warnings::add).asFreeformMap();
  }

  private Object expanded(String yamlValue, Map<String, String> env) throws ConfigException {
    return tree(write(dir, "v.yaml", "v: " + yamlValue + "\n"), null, env).get("v");
  }

  @Test
  void overrideMergesMappingsAndReplacesListsAndScalars() throws ConfigException {
    Path base = write(dir, "base.yaml", BASE);
    Path override = write(dir, "local.yaml", """
        gateway:
          port: 9000
          timeouts: {read_s: 30}
        auth:
          client_api_keys: [local]
        models:
          writer: {proxy_url: "http://10.0.0.5:8012"}
          coder: {type: discovered}
        """);

    Map<String, Object> tree = tree(base, override, Map.of());

    assertThat(tree).isEqualTo(Map.of(
        "gateway", Map.of(
            "host", "127.0.0.1",
            "port", 9000,
            "timeouts", Map.of("connect_s", 5, "read_s", 30, "total_s", 600)),
        "auth", Map.of("client_api_keys", List.of("local")),
        "models", Map.of(
            "planner", Map.of("type", "proxy", "proxy_url", "http://127.0.0.1:8011", "defaults",
                Map.of("temperature", 0)),
            "writer", Map.of("type", "proxy", "proxy_url", "http://10.0.0.5:8012"),
            "coder", Map.of("type", "discovered"))));
    @SuppressWarnings("unchecked")
    Map<String, Object> models = (Map<String, Object>) tree.get("models");
    assertThat(models.keySet()).containsExactly("planner", "writer", "coder");
  }

  @Test
  void explicitNullAndScalarsInTheOverrideReplaceWholeValues() throws ConfigException {
    Path base = write(dir, "base.yaml", BASE);
    Path override = write(dir, "local.yaml", """
        gateway:
          timeouts: {total_s: null}
        auth: none
        """);

    Map<String, Object> tree = tree(base, override, Map.of());

    Map<String, Object> timeouts = new HashMap<>(Map.of("connect_s", 5, "read_s", 300));
    timeouts.put("total_s", null);
    assertThat(tree).extractingByKey("gateway").extracting("timeouts").isEqualTo(timeouts);
    assertThat(tree).containsEntry("auth", "none");
  }

  @Test
  void emptyOverrideChangesNothing() throws ConfigException {
    Path base = write(dir, "base.yaml", BASE);

    assertThat(tree(base, write(dir, "local.yaml", "# all commented out\n"), Map.of()))
        .isEqualTo(tree(base, null, Map.of()));
  }

  @Test
  void missingOverrideFileIsNamed() {
    Path base = write(dir, "base.yaml", BASE);
    Path missing = dir.resolve("models.local.yaml");

    assertThatThrownBy(() -> tree(base, missing, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(missing + ": cannot read file (No such file or directory)");
  }

  @Test
  void errorsNameTheFileTheValueCameFrom() throws ConfigException {
    Path base = write(dir, "base.yaml", "gateway: {port: abc}\nmodels: {planner: {type: proxy}}\n");
    Path override = write(dir, "local.yaml", "models: {planner: {proxy_url: 1}, coder: {type: x}}\n");
    ConfigMap root = ConfigTreeLoader.load(base, override, Map.of(), warnings::add).asMap();
    ConfigMap models = root.get("models").asMap();

    assertThatThrownBy(() -> root.get("gateway").asMap().get("port").asInt(0, 65535))
        .hasMessage(base + ": gateway.port: must be an integer from 0 to 65535, got \"abc\"");
    assertThatThrownBy(() -> models.get("planner").asMap().get("proxy_url").asNonBlankString())
        .hasMessage(override + ": models.planner.proxy_url: must be a string, got 1 (put it in quotes)");
    assertThatThrownBy(() -> models.get("coder").asMap().get("type").asInt(0, 1))
        .hasMessage(override + ": models.coder.type: must be an integer from 0 to 1, got \"x\"");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', emptyValue = "", value = {
      "'${HOST}'                 | 10.0.0.5",
      "'http://${HOST}:${PORT}/' | http://10.0.0.5:8011/",
      "'${MISSING:-fallback}'    | fallback",
      "'${EMPTY:-fallback}'      | fallback",
      "'${HOST:-fallback}'       | 10.0.0.5",
      "'${MISSING:-}'            | ``",
      "'${EMPTY}'                | ``",
      "'${MISSING:-a:-b}'        | a:-b",
      "'$${HOST}'                | ${HOST}",
      "'$${HOST} and ${HOST}'    | ${HOST} and 10.0.0.5",
      "'pa$$word $5 $'           | pa$$word $5 $",
      "'${NESTED}'               | ${HOST}",
  })
  void expandsEnvironmentReferences(String yamlValue, String expected) throws ConfigException {
    Map<String, String> env = Map.of("HOST", "10.0.0.5", "PORT", "8011", "EMPTY", "", "NESTED", "${HOST}");

    assertThat(expanded(yamlValue, env)).isEqualTo(expected);
  }

  @Test
  void expandsInsideListsAndNestedMappingsButNotKeysOrNonStrings() throws ConfigException {
    Path file = write(dir, "models.yaml", """
        auth: {client_api_keys: ["${KEY}", literal]}
        models: {"${ALIAS}": {defaults: {model: "${MODEL}", max_tokens: 128}}}
        """);

    Map<String, Object> tree = tree(file, null, Map.of("KEY", "k1", "ALIAS", "no", "MODEL", "qwen3:8b"));

    assertThat(tree).isEqualTo(Map.of(
        "auth", Map.of("client_api_keys", List.of("k1", "literal")),
        "models", Map.of("${ALIAS}", Map.of("defaults", Map.of("model", "qwen3:8b", "max_tokens", 128)))));
  }

  @Test
  void unsetVariableNamesFieldPathAndVariable() {
    Path file = write(dir, "models.yaml", "models:\n  planner:\n    api_key: ${PLANNER_KEY}\n");

    assertThatThrownBy(() -> tree(file, null, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file + ": models.planner.api_key: environment variable PLANNER_KEY is not set"
            + " (use ${PLANNER_KEY:-default} to give a default)");
  }

  @Test
  void unsetVariableInAListNamesTheIndex() {
    Path file = write(dir, "models.yaml", "auth:\n  node_api_keys: [a, \"${NODE_KEY}\"]\n");

    assertThatThrownBy(() -> tree(file, null, Map.of()))
        .hasMessageStartingWith(file + ": auth.node_api_keys[1]: environment variable NODE_KEY is not set");
  }

  @Test
  void malformedReferencesAreErrors() {
    assertThatThrownBy(() -> expanded("'${HOST'", Map.of("HOST", "h")))
        .hasMessageEndingWith("v: unclosed ${ in \"${HOST\" (write $${ for a literal ${)");
    assertThatThrownBy(() -> expanded("'${1HOST}'", Map.of()))
        .hasMessageEndingWith("v: invalid variable reference ${1HOST}: expected ${NAME} or ${NAME:-default}"
            + " (write $${ for a literal ${)");
  }

  @Test
  void variableUsedOnlyByAnOverriddenValueNeedNotBeSet() throws ConfigException {
    Path base = write(dir, "base.yaml", "models: {planner: {api_key: \"${PROD_KEY}\"}}\n");
    Path override = write(dir, "local.yaml", "models: {planner: {api_key: dev-key}}\n");

    assertThat(tree(base, override, Map.of()))
        .isEqualTo(Map.of("models", Map.of("planner", Map.of("api_key", "dev-key"))));
  }

  @Test
  void numericReadersAcceptNumbersSpelledAsStrings() throws ConfigException {
    Path file = write(dir, "models.yaml", "port: ${PORT}\nread_s: '${READ:-0.5}'\nbig: 1e400\n");
    ConfigMap root = ConfigTreeLoader.load(file, null, Map.of("PORT", "9000"), warnings::add).asMap();

    assertThat(root.get("port").asInt(0, 65535)).isEqualTo(9000);
    assertThat(root.get("read_s").asSeconds()).hasMillis(500);
    assertThatThrownBy(() -> root.get("big").asPositiveNumber())
        .hasMessageEndingWith("big: must be a number > 0, got Infinity");
  }
}
