package dev.rolemesh.config;

import static dev.rolemesh.config.YamlFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  private static final String QUICK_EXAMPLE = """
      version: 1
      default_model: planner
      auth:
        client_api_keys: ["change-me-client-key"]
        node_api_keys: ["change-me-node-key"]
      models:
        planner:
          type: proxy
          openai_model_name: planner
          proxy_url: http://127.0.0.1:8011
          defaults:
            temperature: 0
            max_tokens: 128
        writer:
          type: proxy
          openai_model_name: writer
          proxy_url: http://127.0.0.1:8012
          defaults:
            temperature: 0.6
            max_tokens: 256
      """;

  @TempDir Path dir;
  private final List<String> warnings = new ArrayList<>();

  private GatewayConfig load(String yaml) throws ConfigException {
    return ConfigLoader.load(write(dir, "models.yaml", yaml), null, Map.of(), warnings::add);
  }

  @Test
  void specQuickExampleLoadsExactly() throws ConfigException {
    Path file = write(dir, "models.yaml", QUICK_EXAMPLE);

    GatewayConfig config = ConfigLoader.load(file, null, Map.of(), warnings::add);

    Map<String, ModelConfig> models = new LinkedHashMap<>();
    models.put("planner", new ModelConfig("planner", "planner", Map.of("temperature", 0, "max_tokens", 128),
        Timeouts.DEFAULTS, new ModelTarget.Proxy(URI.create("http://127.0.0.1:8011"), null)));
    models.put("writer", new ModelConfig("writer", "writer", Map.of("temperature", 0.6, "max_tokens", 256),
        Timeouts.DEFAULTS, new ModelTarget.Proxy(URI.create("http://127.0.0.1:8012"), null)));
    ServerSettings server = new ServerSettings("127.0.0.1", 8000, Timeouts.DEFAULTS, 32L * 1024 * 1024,
        Duration.ofSeconds(2), Duration.ofSeconds(5));
    assertThat(config).isEqualTo(new GatewayConfig(1, "planner", server,
        new AuthConfig(List.of("change-me-client-key"), List.of("change-me-node-key")), models, file));
    assertThat(config.models().keySet()).containsExactly("planner", "writer");
    assertThat(config.models().get(config.defaultModel()).alias()).isEqualTo("planner");
    assertThat(warnings).isEmpty();
  }

  @Test
  void minimalConfigGetsEveryDefault() throws ConfigException {
    GatewayConfig config = load("""
        models:
          solo: {type: proxy, proxy_url: "http://127.0.0.1:8011"}
          team: {type: discovered}
        """);

    assertThat(config.version()).isEqualTo(1);
    assertThat(config.defaultModel()).isEqualTo("solo");
    assertThat(config.gateway()).isEqualTo(new ServerSettings(ServerSettings.DEFAULT_HOST,
        ServerSettings.DEFAULT_PORT, Timeouts.DEFAULTS, ServerSettings.DEFAULT_MAX_BODY_BYTES,
        ServerSettings.DEFAULT_PROBE_TIMEOUT, ServerSettings.DEFAULT_PROBE_CACHE_TTL));
    assertThat(config.auth()).isEqualTo(AuthConfig.OPEN);
    assertThat(config.models().get("solo")).isEqualTo(new ModelConfig("solo", "solo", Map.of(), Timeouts.DEFAULTS,
        new ModelTarget.Proxy(URI.create("http://127.0.0.1:8011"), null)));
    assertThat(config.models().get("team").target())
        .isEqualTo(new ModelTarget.Discovered("team", ModelTarget.Strategy.ROUND_ROBIN));
    assertThat(warnings).isEmpty();
  }

  @Test
  void nodeNetworksAreReadAsCidrsHostBitsCleared() throws Exception {
    GatewayConfig config = load("""
        auth:
          node_networks: ["10.1.2.3/8", "fd00:abcd::/32", 192.168.1.7]
        models:
          m: {type: discovered}
        """);

    assertThat(config.auth().nodeNetworks()).extracting(Cidr::toString)
        .containsExactly("10.0.0.0/8", "fd00:abcd:0:0:0:0:0:0/32", "192.168.1.7/32");
    assertThat(config.auth().nodeNetworks().get(0).contains(InetAddress.getByName("10.200.0.1"))).isTrue();
    assertThat(config.auth().nodeNetworks().get(0).contains(InetAddress.getByName("11.0.0.1"))).isFalse();
    assertThat(config.auth().nodeNetworks().get(1).contains(InetAddress.getByName("fd00:abcd::9"))).isTrue();
    assertThat(config.auth().nodeNetworks().get(1).contains(InetAddress.getByName("10.0.0.1"))).isFalse();
  }

  @Test
  void sectionsWithEverythingCommentedOutMeanDefaults() throws ConfigException {
    GatewayConfig config = load("""
        gateway:
        #  port: 9000
        auth:
          client_api_keys:
        models:
          m: {type: discovered}
        """);

    assertThat(config.gateway().port()).isEqualTo(ServerSettings.DEFAULT_PORT);
    assertThat(config.auth()).isEqualTo(AuthConfig.OPEN);
  }

  @Test
  void readsEveryGatewaySetting() throws ConfigException {
    GatewayConfig config = load("""
        gateway:
          host: 0.0.0.0
          port: 0
          max_body_mb: 0.5
          probe_timeout_s: 0.25
          probe_cache_s: 10
          timeouts: {connect_s: 1, read_s: 30.5, total_s: 600}
        models:
          m: {type: discovered, role: coder, strategy: least_busy, openai_model_name: m-public}
        """);

    ServerSettings gateway = config.gateway();
    assertThat(gateway.host()).isEqualTo("0.0.0.0");
    assertThat(gateway.port()).isZero();
    assertThat(gateway.maxBodyBytes()).isEqualTo(512 * 1024);
    assertThat(gateway.probeTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(gateway.probeCacheTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(gateway.timeouts())
        .isEqualTo(new Timeouts(Duration.ofSeconds(1), Duration.ofMillis(30_500), Duration.ofSeconds(600)));
    ModelConfig model = config.models().get("m");
    assertThat(model.openaiModelName()).isEqualTo("m-public");
    assertThat(model.target()).isEqualTo(new ModelTarget.Discovered("coder", ModelTarget.Strategy.LEAST_BUSY));
  }

  @Test
  void cacheAffinityTakesAMargin() throws ConfigException {
    GatewayConfig config = load("""
        models:
          agent: {type: discovered, strategy: cache_affinity, affinity_margin: 3}
          plain: {type: discovered, strategy: cache_affinity}
        """);

    assertThat(config.models().get("agent").target())
        .isEqualTo(new ModelTarget.Discovered("agent", ModelTarget.Strategy.CACHE_AFFINITY, 3));
    assertThat(config.models().get("plain").target()).isEqualTo(new ModelTarget.Discovered("plain",
        ModelTarget.Strategy.CACHE_AFFINITY, ModelTarget.Discovered.DEFAULT_AFFINITY_MARGIN));
  }

  @Test
  void queueLimitsComeFromTheGatewayKeyByKeyAndProxiesTakeMaxConcurrent() throws ConfigException {
    GatewayConfig config = load("""
        gateway: {queue: {max_waiting: 10, max_wait_s: 5}}
        models:
          chat: {type: proxy, proxy_url: http://127.0.0.1:8011, max_concurrent: 4, queue: {max_wait_s: 0.5}}
          agent: {type: discovered}
          plain: {type: proxy, proxy_url: http://127.0.0.1:8012}
        """);

    assertThat(config.gateway().queue()).isEqualTo(new QueueSettings(10, Duration.ofSeconds(5)));
    assertThat(config.models().get("chat").queue()).isEqualTo(new QueueSettings(10, Duration.ofMillis(500)));
    assertThat(config.models().get("agent").queue()).isEqualTo(config.gateway().queue());
    assertThat(((ModelTarget.Proxy) config.models().get("chat").target()).maxConcurrent()).isEqualTo(4);
    assertThat(((ModelTarget.Proxy) config.models().get("plain").target()).maxConcurrent()).isZero();
    assertThat(load("models: {p: {type: proxy, proxy_url: http://127.0.0.1:1}}\n").models().get("p").queue())
        .isEqualTo(QueueSettings.DEFAULTS);
    assertThat(warnings).isEmpty();
  }

  @Test
  void aDiscoveredRoleTakesItsCapacityFromItsNodesNotFromMaxConcurrent() throws ConfigException {
    load("models: {agent: {type: discovered, max_concurrent: 4}}\n");

    assertThat(warnings).singleElement().asString().contains("models.agent.max_concurrent", "type: proxy");
  }

  @Test
  void modelTimeoutsFallBackKeyByKeyToTheGatewayOnes() throws ConfigException {
    GatewayConfig config = load("""
        gateway:
          timeouts: {connect_s: 1, read_s: 30, total_s: 600, write_stall_s: 20}
        models:
          slow: {type: discovered, timeouts: {read_s: 900, write_stall_s: 5}}
          uncapped: {type: discovered, timeouts: {total_s: null}}
          plain: {type: discovered}
        """);

    assertThat(config.models().get("slow").timeouts()).isEqualTo(new Timeouts(
        Duration.ofSeconds(1), Duration.ofSeconds(900), Duration.ofSeconds(600), Duration.ofSeconds(5)));
    assertThat(config.models().get("uncapped").timeouts())
        .isEqualTo(new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(30), null, Duration.ofSeconds(20)));
    assertThat(config.models().get("plain").timeouts()).isEqualTo(config.gateway().timeouts());
  }

  @Test
  void keepsModelOrderAndDefaultsToTheFirstModel() throws ConfigException {
    GatewayConfig config = load("""
        models:
          zeta: {type: discovered}
          alpha: {type: discovered}
          "qwen2.5": {type: discovered}
          mid: {type: discovered}
          beta: {type: discovered}
        """);

    assertThat(config.models().keySet()).containsExactly("zeta", "alpha", "qwen2.5", "mid", "beta");
    assertThat(config.defaultModel()).isEqualTo("zeta");
  }

  @Test
  void proxyModelKeepsApiKeyAndFreeformDefaults() throws ConfigException {
    GatewayConfig config = load("""
        models:
          chat:
            type: proxy
            proxy_url: http://127.0.0.1:11434/v1/
            api_key: sk-upstream
            defaults: {model: "dolphin3:latest", stop: ["\\n\\n"], options: {num_ctx: 4096}, seed: null}
        """);

    ModelConfig chat = config.models().get("chat");
    assertThat(chat.target()).isEqualTo(new ModelTarget.Proxy(URI.create("http://127.0.0.1:11434"), "sk-upstream"));
    assertThat(chat.defaults()).containsExactly(
        Map.entry("model", "dolphin3:latest"),
        Map.entry("stop", List.of("\n\n")),
        Map.entry("options", Map.of("num_ctx", 4096)),
        new AbstractMap.SimpleEntry<>("seed", null));
    assertThat(warnings).isEmpty();
  }

  @Test
  void exposesOnlyImmutableCollections() throws ConfigException {
    GatewayConfig config = load("""
        auth: {client_api_keys: [a], node_api_keys: [b]}
        models:
          m: {type: proxy, proxy_url: "http://h:1", defaults: {stop: [x], options: {k: 1}}}
        """);

    ModelConfig model = config.models().get("m");
    @SuppressWarnings("unchecked")
    Map<String, Object> options = (Map<String, Object>) model.defaults().get("options");
    @SuppressWarnings("unchecked")
    List<Object> stop = (List<Object>) model.defaults().get("stop");
    List<Runnable> mutations = List.of(
        () -> config.models().clear(),
        () -> config.auth().clientKeys().clear(),
        () -> config.auth().nodeApiKeys().clear(),
        () -> model.defaults().clear(),
        () -> options.clear(),
        () -> stop.clear());
    for (Runnable mutation : mutations) {
      assertThatThrownBy(mutation::run).isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Test
  void choosesCliThenEnvironmentThenDefault() {
    Path cli = Path.of("cli.yaml");
    Map<String, String> env = Map.of(ConfigLoader.CONFIG_ENV, "env.yaml");

    assertThat(ConfigLoader.chooseConfigPath(cli, env)).isEqualTo(cli);
    assertThat(ConfigLoader.chooseConfigPath(null, env)).isEqualTo(Path.of("env.yaml"));
    assertThat(ConfigLoader.chooseConfigPath(null, Map.of(ConfigLoader.CONFIG_ENV, " ")))
        .isEqualTo(Path.of("configs/models.yaml"));
    assertThat(ConfigLoader.chooseConfigPath(null, Map.of())).isEqualTo(Path.of("configs/models.yaml"));
  }

  @Test
  void missingFileIsOneLineNamingTheFile() {
    Path missing = dir.resolve("configs/models.yaml");

    assertThatThrownBy(() -> ConfigLoader.load(missing, null, Map.of(), warnings::add))
        .isInstanceOf(ConfigException.class)
        .hasMessage(missing + ": cannot read file (No such file or directory)");
  }

  @Test
  void directoryIsReportedAsUnreadable() {
    assertThatThrownBy(() -> ConfigLoader.load(dir, null, Map.of(), warnings::add))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(dir + ": cannot read file (");
  }

  @Test
  void yamlSyntaxErrorNamesFileAndLine() {
    assertThatThrownBy(() -> load("""
        models:
          planner:
            type: proxy
           proxy_url: http://h:1
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(dir.resolve("models.yaml") + ": line 4, column ")
        .hasMessageContaining("invalid YAML")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void aMalformedJsonConfigIsNamedAsJsonWithLineAndColumn() throws Exception {
    Path json = Files.writeString(dir.resolve("models.json"),
        "{\"models\": {\"planner\": {\"type\": \"proxy\", \"proxy_url\": \"http://h:1\"}\n");

    assertThatThrownBy(() -> ConfigLoader.load(json, null, Map.of(), warning -> {}))
        .hasMessage(json + ": line 2, column 1: invalid JSON: expected ',' or '}', but got <stream end>"
            + " (while parsing a flow mapping)");
  }

  @Test
  void duplicateKeyIsAnError() {
    assertThatThrownBy(() -> load("""
        models:
          a: {type: discovered}
          a: {type: discovered}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(dir.resolve("models.yaml") + ": line 3, column ")
        .hasMessageContaining("duplicate key a");
  }

  @Test
  void topLevelMustBeAMapping() {
    assertThatThrownBy(() -> load("- planner\n- writer\n"))
        .hasMessage(dir.resolve("models.yaml") + ": the top level must be a mapping of keys like models:, got a list");
  }

  @Test
  void emptyFileAsksForModels() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.yaml"));

    assertThatThrownBy(() -> ConfigLoader.load(empty, null, Map.of(), warnings::add))
        .hasMessageStartingWith(empty + ": models: must list at least one model alias");
  }
}
