package dev.rolemesh.config;

import static dev.rolemesh.config.YamlFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way the gateway schema can be broken is reported on one line with the field path at fault. */
class ConfigValidationTest {

  private static final String PLANNER = "models:\n  planner:\n    type: proxy\n    proxy_url: http://127.0.0.1:8011\n";

  @TempDir Path dir;
  private final List<String> warnings = new ArrayList<>();

  private static Arguments invalid(String yaml, String expected) {
    return Arguments.of(yaml, expected);
  }

  static Stream<Arguments> invalidConfigs() {
    return Stream.of(
        invalid("version: 2\n" + PLANNER, "version: must be 1, got 2"),
        invalid("default_model: critic\n" + PLANNER,
            "default_model: must be one of the models (planner), got \"critic\""),
        invalid("default_model: 7\n" + PLANNER, "default_model: must be a string, got 7 (put it in quotes)"),
        invalid("gateway: 5\n" + PLANNER, "gateway: must be a mapping of key: value, got 5"),
        invalid("gateway: {host: ''}\n" + PLANNER, "gateway.host: must not be empty"),
        invalid("gateway: {port: abc}\n" + PLANNER, "gateway.port: must be an integer from 0 to 65535, got \"abc\""),
        invalid("gateway: {port: 70000}\n" + PLANNER, "gateway.port: must be an integer from 0 to 65535, got 70000"),
        invalid("gateway: {port: 80.5}\n" + PLANNER, "gateway.port: must be an integer from 0 to 65535, got 80.5"),
        invalid("gateway: {max_body_mb: 0}\n" + PLANNER, "gateway.max_body_mb: must be a number > 0, got 0"),
        invalid("gateway: {probe_timeout_s: -1}\n" + PLANNER, "gateway.probe_timeout_s: must be a number > 0, got -1"),
        invalid("gateway: {probe_cache_s: .nan}\n" + PLANNER, "gateway.probe_cache_s: must be a number > 0, got NaN"),
        invalid("gateway: {metrics: 'on'}\n" + PLANNER, "gateway.metrics: must be true or false, got \"on\""),
        invalid("auth: {metrics_api_keys: [1]}\n" + PLANNER,
            "auth.metrics_api_keys[0]: must be a string, got 1 (put it in quotes)"),
        invalid("gateway: {timeouts: {read_s: 0}}\n" + PLANNER, "gateway.timeouts.read_s: must be a number > 0, got 0"),
        invalid("gateway: {timeouts: [5]}\n" + PLANNER,
            "gateway.timeouts: must be a mapping of key: value, got a list"),
        invalid("auth: {client_api_keys: x}\n" + PLANNER,
            "auth.client_api_keys: must be a list of keys, each a string or a mapping like {key_sha256: ..., name: ci,"
                + " roles: [planner], rpm: 60}, got \"x\""),
        invalid("auth: {client_api_keys: [{name: ci}]}\n" + PLANNER,
            "auth.client_api_keys[0]: needs exactly one of key or key_sha256 (the hex SHA-256 of the key, as printed"
                + " by printf %s \"$KEY\" | sha256sum)"),
        invalid("auth: {client_api_keys: [{key: a, key_sha256: b}]}\n" + PLANNER,
            "auth.client_api_keys[0]: needs exactly one of key or key_sha256 (the hex SHA-256 of the key, as printed"
                + " by printf %s \"$KEY\" | sha256sum)"),
        invalid("auth: {client_api_keys: [{key_sha256: abc}]}\n" + PLANNER,
            "auth.client_api_keys[0].key_sha256: must be 64 hex digits (a SHA-256), got \"abc\""),
        invalid("auth: {client_api_keys: [{key: a, roles: [critic]}]}\n" + PLANNER,
            "auth.client_api_keys[0].roles[0]: is not a model alias (planner), got \"critic\""),
        invalid("auth: {client_api_keys: [{key: a, rpm: 0}]}\n" + PLANNER,
            "auth.client_api_keys[0].rpm: must be an integer from 1 to 1000000000, got 0"),
        invalid("auth: {client_api_keys: [{key: a, max_concurrent: x}]}\n" + PLANNER,
            "auth.client_api_keys[0].max_concurrent: must be an integer from 1 to 1000000000, got \"x\""),
        invalid("auth: {client_api_keys: [{key: a, name: ci}, {key: b, name: ci}]}\n" + PLANNER,
            "auth.client_api_keys[1]: name \"ci\" is already used by auth.client_api_keys[0]"),
        invalid("auth: {client_api_keys: [a, {key: a, name: ci}]}\n" + PLANNER,
            "auth.client_api_keys[1]: the same key as auth.client_api_keys[0] (a key can have only one name and"
                + " policy)"),
        invalid("auth: {node_upstream_key: ''}\n" + PLANNER, "auth.node_upstream_key: must not be empty"),
        invalid("gateway: {tls: {key_file: pom.xml}}\n" + PLANNER, "gateway.tls.cert_file: required, a PEM file"),
        invalid("gateway: {tls: {cert_file: /no/such.pem, key_file: pom.xml}}\n" + PLANNER,
            "gateway.tls.cert_file: no readable file at /no/such.pem"),
        invalid("gateway: {tls: {cert_file: pom.xml, key_file: pom.xml, require_client_cert_for: [nodes]}}\n"
            + PLANNER, "gateway.tls.require_client_cert_for: needs client_ca_file: the CA that signs the client"
            + " certificates"),
        invalid("gateway: {tls: {cert_file: pom.xml, key_file: pom.xml, client_ca_file: pom.xml,"
            + " require_client_cert_for: [clients]}}\n" + PLANNER,
            "gateway.tls.require_client_cert_for[0]: must be one of nodes, got \"clients\""),
        invalid("gateway: {node_tls: {cert_file: pom.xml}}\n" + PLANNER,
            "gateway.node_tls.key_file: required with cert_file: a client certificate needs both"),
        invalid(PLANNER + "    tls: {ca_file: /no/ca.pem}\n", "models.planner.tls.ca_file: no readable file at /no/ca.pem"),
        invalid("auth: {client_api_keys: [ok, '']}\n" + PLANNER, "auth.client_api_keys[1]: must not be empty"),
        invalid("auth: {node_api_keys: ['  ']}\n" + PLANNER, "auth.node_api_keys[0]: must not be empty"),
        invalid("auth: {node_networks: [10.0.0.0/8, 10.0.0.0/33]}\n" + PLANNER,
            "auth.node_networks[1]: prefix length must be 0 to 32, got '10.0.0.0/33'"),
        invalid("auth: {node_networks: [gpu-box.lan]}\n" + PLANNER,
            "auth.node_networks[0]: must be an IP network like 10.0.0.0/8 or fd00::/8, got 'gpu-box.lan'"),
        invalid("auth: {node_networks: 10.0.0.0/8}\n" + PLANNER, "auth.node_networks: must be a list, got \"10.0.0.0/8\""),
        invalid("auth: {node_api_keys: [123]}\n" + PLANNER,
            "auth.node_api_keys[0]: must be a string, got 123 (put it in quotes)"),
        invalid("version: 1\n",
            "models: must list at least one model alias, like planner: {type: proxy, proxy_url: ...}"),
        invalid("models: {}\n",
            "models: must list at least one model alias, like planner: {type: proxy, proxy_url: ...}"),
        invalid("models: [planner, writer]\n", "models: must be a mapping of key: value, got a list"),
        invalid("models: {planner: }\n", "models.planner.type: required: proxy or discovered"),
        invalid("models: {planner: {proxy_url: 'http://h:1'}}\n", "models.planner.type: required: proxy or discovered"),
        invalid("models: {planner: {type: proxi}}\n",
            "models.planner.type: must be one of proxy, discovered, got \"proxi\""),
        invalid("models: {planner: {type: Proxy}}\n",
            "models.planner.type: must be one of proxy, discovered, got \"Proxy\""),
        invalid("models: {'qwen2.5': {type: local}}\n",
            "models.\"qwen2.5\".type: must be one of proxy, discovered, got \"local\""),
        invalid("models: {planner: {type: proxy}}\n",
            "models.planner.proxy_url: required for type: proxy, like http://127.0.0.1:8011"),
        invalid("models:\n  planner:\n    type: proxy\n    proxy_url: localhost:8011\n",
            "models.planner.proxy_url: must be an http(s) URL like http://127.0.0.1:8011, got \"localhost:8011\""),
        invalid("models: {planner: {type: proxy, proxy_url: 'ftp://h/'}}\n",
            "models.planner.proxy_url: must be an http(s) URL like http://127.0.0.1:8011, got \"ftp://h/\""),
        invalid("models: {planner: {type: proxy, proxy_url: 'http://h:1/v1?x=1'}}\n",
            "models.planner.proxy_url: must not have a ?query or #fragment, got \"http://h:1/v1?x=1\""),
        invalid("models: {planner: {type: proxy, proxy_url: 8011}}\n",
            "models.planner.proxy_url: must be a string, got 8011 (put it in quotes)"),
        invalid("models: {planner: {type: proxy, proxy_url: 'http://h:1', api_key: ''}}\n",
            "models.planner.api_key: must not be empty"),
        invalid(PLANNER + "    openai_model_name: [a]\n",
            "models.planner.openai_model_name: must be a string, got a list"),
        invalid(PLANNER + "    defaults: x\n", "models.planner.defaults: must be a mapping of key: value, got \"x\""),
        invalid(PLANNER + "    timeouts: {total_s: soon}\n",
            "models.planner.timeouts.total_s: must be a number > 0, got \"soon\""),
        invalid("models: {r: {type: discovered, strategy: fastest}}\n",
            "models.r.strategy: must be one of round_robin, random, least_busy, cache_affinity, got \"fastest\""),
        invalid("models: {r: {type: discovered, role: ''}}\n", "models.r.role: must not be empty"),
        invalid("gateway: {queue: {max_waiting: -1}}\n" + PLANNER,
            "gateway.queue.max_waiting: must be an integer from 0 to 1000000, got -1"),
        invalid("gateway: {queue: {max_wait_s: 0}}\n" + PLANNER, "gateway.queue.max_wait_s: must be a number > 0, got 0"),
        invalid(PLANNER + "    queue: 3\n", "models.planner.queue: must be a mapping of key: value, got 3"),
        invalid(PLANNER + "    max_concurrent: 0\n",
            "models.planner.max_concurrent: must be an integer from 1 to 1000000, got 0"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalidConfigs")
  void namesTheFieldPathAtFault(String yaml, String expected) {
    Path file = write(dir, "models.yaml", yaml);

    assertThatThrownBy(() -> ConfigLoader.load(file, null, Map.of(), warnings::add))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file + ": " + expected);
  }

  @Test
  void unknownAndMisplacedKeysAreWarningsNotErrors() throws ConfigException {
    Path file = write(dir, "models.yaml", """
        version: 1
        colour: blue
        gateway: {port: 0, timout: 5, timeouts: {read: 1}}
        auth: {client_keys: [x]}
        models:
          planner:
            type: proxy
            proxy_url: http://127.0.0.1:8011
            temprature: 0.2
            role: planner
            defaults: {anything: goes, nested: {also: fine}}
          reviewer:
            type: discovered
            proxy_url: http://127.0.0.1:8012
            api_key: k
            timeouts: {read_s: 5, total: 9}
        """);

    GatewayConfig config = ConfigLoader.load(file, null, Map.of(), warnings::add);

    assertThat(config.models().keySet()).containsExactly("planner", "reviewer");
    assertThat(warnings).containsExactlyInAnyOrder(
        file + ": unknown key colour (ignored)",
        file + ": unknown key gateway.timout (ignored; did you mean timeouts?)",
        file + ": unknown key gateway.timeouts.read (ignored; did you mean read_s?)",
        file + ": unknown key auth.client_keys (ignored)",
        file + ": unknown key models.planner.temprature (ignored)",
        file + ": models.planner.role: only used by type: discovered (ignored)",
        file + ": models.reviewer.proxy_url: only used by type: proxy (ignored)",
        file + ": models.reviewer.api_key: only used by type: proxy (ignored)",
        file + ": unknown key models.reviewer.timeouts.total (ignored; did you mean total_s?)");
  }

  @Test
  void aMisspeltRequiredKeyIsNamedWithTheKeyItShouldBe() {
    Path file = write(dir, "models.yaml", """
        models:
          planner:
            type: proxy
            proxy_ulr: http://127.0.0.1:8011
        """);

    assertThatThrownBy(() -> ConfigLoader.load(file, null, Map.of(), warnings::add))
        .hasMessage(file + ": models.planner.proxy_url: required for type: proxy, like http://127.0.0.1:8011"
            + " (the file has models.planner.proxy_ulr: a misspelling of proxy_url?)");
  }

  @Test
  void warningsAndErrorsNameTheOverrideFileForItsValues() {
    Path base = write(dir, "models.yaml", PLANNER);
    Path override = write(dir, "models.local.yaml", """
        gateway: {prot: 9000}
        models:
          planner: {proxy_url: "localhost:8011"}
        """);

    assertThatThrownBy(() -> ConfigLoader.load(base, override, Map.of(), warnings::add))
        .hasMessage(override + ": models.planner.proxy_url: must be an http(s) URL like http://127.0.0.1:8011,"
            + " got \"localhost:8011\"");
    assertThat(warnings).containsExactly(override + ": unknown key gateway.prot (ignored; did you mean port?)");
  }

  @Test
  void overrideCanRepointAModelAndAddKeys() throws ConfigException {
    Path base = write(dir, "models.yaml", PLANNER + "    defaults: {temperature: 0}\n");
    Path override = write(dir, "models.local.yaml", """
        auth: {client_api_keys: ["${CLIENT_KEY}"]}
        models:
          planner: {proxy_url: "http://${GPU_HOST}:8011/v1"}
        """);

    GatewayConfig config = ConfigLoader.load(
        base, override, Map.of("CLIENT_KEY", "local-key", "GPU_HOST", "10.0.0.12"), warnings::add);

    ModelConfig planner = config.models().get("planner");
    assertThat(planner.target()).isEqualTo(
        new ModelTarget.Proxy(URI.create("http://10.0.0.12:8011"), null));
    assertThat(planner.defaults()).isEqualTo(Map.of("temperature", 0));
    assertThat(config.auth().clientKeys()).containsExactly(ClientKeys.plain("local-key", 0));
    assertThat(config.source()).isEqualTo(base);
  }

  @Test
  void clientKeysMixPlainStringsAndPoliciesAndAKeyMayBeGivenAsItsSha256() throws ConfigException {
    String sha256 = ClientKeys.sha256Hex("team-key");
    Path file = write(dir, "models.yaml", PLANNER + """
        auth:
          client_api_keys:
            - plain-key
            - {key_sha256: "%s", name: team, roles: [planner], rpm: 60, tpm: 100000, max_concurrent: 4}
            - {key: "${CI_KEY}", name: ci}
          node_upstream_key: agent-key
        """.formatted(sha256.toUpperCase(java.util.Locale.ROOT)));

    AuthConfig auth = ConfigLoader.load(file, null, Map.of("CI_KEY", "ci-key"), warnings::add).auth();

    assertThat(auth.clientKeys()).containsExactly(
        ClientKeys.plain("plain-key", 0),
        new ClientKey(sha256, "team", java.util.Set.of("planner"), 60, 100000, 4),
        new ClientKey(ClientKeys.sha256Hex("ci-key"), "ci", null, 0, 0, 0));
    assertThat(auth.nodeUpstreamKey()).isEqualTo("agent-key");
    assertThat(warnings).isEmpty();
  }
}
