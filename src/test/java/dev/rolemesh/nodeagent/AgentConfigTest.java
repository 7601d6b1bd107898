package dev.rolemesh.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolemesh.cli.Main;
import dev.rolemesh.config.ConfigException;
import dev.rolemesh.config.ClientTimeouts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** The agent's config: defaults, the example file, override merging, and one-line errors naming file and field. */
class AgentConfigTest {

  private static final String BINARY = "llama_server: {binary: /bin/sh}\n";
  private static final String MODEL = "models:\n  - {model_id: m1, path: /models/a.Q4_K_M.gguf, roles: [planner]}\n";

  @TempDir Path dir;
  private final List<String> warnings = new ArrayList<>();

  private Path write(String name, String yaml) throws IOException {
    return Files.writeString(dir.resolve(name), yaml);
  }

  private AgentConfig load(String yaml) throws Exception {
    return AgentConfigBinder.load(write("agent.yaml", yaml), null, Map.of(), warnings::add);
  }

  @Test
  void minimalConfigTakesTheDocumentedDefaults() throws Exception {
    AgentConfig config = load("node_id: box\n" + BINARY + MODEL);

    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.port()).isEqualTo(8091);
    assertThat(config.baseUrl()).isNull();
    assertThat(config.gateway()).isNull();
    assertThat(config.gpus()).isEmpty();
    assertThat(config.nvidiaSmi()).isEqualTo("nvidia-smi");
    assertThat(config.stateDir()).isEqualTo(Path.of("./state/node-agent"));
    AgentConfig.LlamaServer llama = config.llamaServer();
    assertThat(llama.binary()).isEqualTo("/bin/sh");
    assertThat(llama.readyTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(llama.switchWait()).isEqualTo(Duration.ofMinutes(2));
    assertThat(llama.stopTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(llama.idleUnload()).isNull();
    assertThat(config.clientTimeouts()).isEqualTo(ClientTimeouts.DEFAULTS);
    assertThat(config.models()).containsExactly(
        new ModelSpec("m1", "/models/a.Q4_K_M.gguf", List.of("planner"), List.of(), null, null));
    assertThat(warnings).isEmpty();
  }

  @Test
  void exampleConfigLoadsWithALocalOverride() throws Exception {
    Path example = Path.of("configs", "node_agent.example.yaml");
    Path local = write("local.yaml", """
        llama_server: {binary: /bin/sh}
        gateway: {node_key: "${KEY}"}
        gpus: [0]
        """);

    AgentConfig config = AgentConfigBinder.load(example, local, Map.of("KEY", "secret"), warnings::add);

    assertThat(warnings).isEmpty();
    assertThat(config.nodeId()).isEqualTo("gpu-box-1");
    assertThat(config.gateway()).isEqualTo(
        new AgentConfig.Gateway(URI.create("http://127.0.0.1:8000"), "secret", Duration.ofSeconds(10)));
    assertThat(config.llamaServer().binary()).isEqualTo("/bin/sh");
    assertThat(config.llamaServer().readyTimeout()).isEqualTo(Duration.ofSeconds(300));
    assertThat(config.gpus()).containsExactly(0);
    assertThat(config.models()).extracting(ModelSpec::modelId).containsExactly("planner-gguf", "writer-gguf");
    assertThat(config.models().get(1).roles()).containsExactly("writer", "reviewer");
    assertThat(config.models().get(1).args()).containsExactly("-ngl", "99", "-fa", "on");
  }

  @Test
  void nodeIdAndUrlsFollowTheGatewaysRules() throws Exception {
    AgentConfig config = load("node_id: 'rack-2:box-1'\nbase_url: http://10.0.0.12:8091/gpu-box/v1/\n"
        + "gateway: {url: 'http://gw:8000/rolemesh/v1'}\n" + BINARY + MODEL);

    assertThat(config.nodeId()).isEqualTo("rack-2:box-1");
    assertThat(config.baseUrl()).isEqualTo(URI.create("http://10.0.0.12:8091/gpu-box"));
    assertThat(config.gateway().url()).isEqualTo(URI.create("http://gw:8000/rolemesh"));
  }

  @Test
  void clientTimeoutsTakeTheGatewaysKeys() throws Exception {
    AgentConfig config = load("node_id: box\nclient_timeouts: {header_s: 2, idle_s: 0.5, body_min_bytes_s: 100}\n"
        + BINARY + MODEL);

    assertThat(config.clientTimeouts()).isEqualTo(
        new ClientTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500), 100, ClientTimeouts.BODY_GRACE));
  }

  @Test
  void unknownKeysWarnAndLoadingGoesOn() throws Exception {
    load("node_id: box\nlisten: {hots: 0.0.0.0}\n" + BINARY + MODEL);

    assertThat(warnings).singleElement().asString().endsWith("agent.yaml: unknown key listen.hots (ignored; did you mean host?)");
  }

  @Test
  void quantisationAndFileNameComeFromThePath() {
    assertThat(quant("/models/Mistral-7B-Instruct-v0.3-Q5_K_M.gguf")).isEqualTo("Q5_K_M");
    assertThat(quant("/m/gemma-2b-it-q8_0.gguf")).isEqualTo("Q8_0");
    assertThat(quant("/m/SomePlannerModel.Q5_K_M.gguf")).isEqualTo("Q5_K_M");
    assertThat(quant("/m/qwen2.5-7b-instruct-iq4_xs-00001-of-00002.gguf")).isEqualTo("IQ4_XS");
    assertThat(quant("/m/llama-3-8b.F16.gguf")).isEqualTo("F16");
    assertThat(quant("/m/Qwen3-8B.gguf")).isNull();
    assertThat(new ModelSpec("m", "/m/x/Qwen3-8B.gguf", List.of("r"), List.of(), null, null).fileName())
        .isEqualTo("Qwen3-8B.gguf");
  }

  private static String quant(String path) {
    return new ModelSpec("m", path, List.of("r"), List.of(), null, null).quantisation();
  }

  static Stream<Arguments> invalidConfigs() {
    return Stream.of(
        Arguments.of(BINARY + MODEL, "node_id: required, like gpu-box-1"),
        Arguments.of("node_id: 'rack 2/box'\n" + BINARY + MODEL,
            "node_id: may contain only ASCII letters, digits and . _ : @ -, starting with a letter or digit; found"
                + " U+0020 at index 4"),
        Arguments.of("node_id: box\n" + MODEL, "llama_server: required, with at least binary:"),
        Arguments.of("node_id: box\nlisten: {tls: {cert_file: /no/agent.pem, key_file: pom.xml}}\n" + BINARY + MODEL,
            "listen.tls.cert_file: no readable file at /no/agent.pem"),
        Arguments.of("node_id: box\nlisten: {tls: {cert_file: pom.xml}}\n" + BINARY + MODEL,
            "listen.tls.key_file: required, a PEM file"),
        Arguments.of("node_id: box\ngateway: {url: 'https://gw:8000', tls: {key_file: pom.xml}}\n" + BINARY + MODEL,
            "gateway.tls.cert_file: required with key_file: a client certificate needs both"),
        Arguments.of("node_id: box\nauth: {api_keys: secret}\n" + BINARY + MODEL,
            "auth.api_keys: must be a list of strings like [\"a\", \"b\"], got \"secret\""),
        Arguments.of("node_id: box\nllama_server: {binary: /no/such/llama-server}\n" + MODEL,
            "llama_server.binary: no executable file at /no/such/llama-server"),
        Arguments.of("node_id: box\n" + BINARY, "models: required, a list of {model_id, path, roles}"),
        Arguments.of("node_id: box\n" + BINARY + "models: []\n", "models: must list at least one model"),
        Arguments.of("node_id: box\n" + BINARY + "models: {m1: {}}\n", "models: must be a list, got a mapping"),
        Arguments.of("node_id: box\n" + BINARY + "models:\n  - {model_id: m1, roles: [r]}\n",
            "models[0].path: required, the weight file"),
        Arguments.of("node_id: box\n" + BINARY + "models:\n  - {model_id: m1, path: /a, roles: planner}\n",
            "models[0].roles: must be a list of strings"),
        Arguments.of("node_id: box\n" + BINARY + "models:\n  - {model_id: m1, path: /a, roles: []}\n",
            "models[0].roles: must name at least one role"),
        Arguments.of("node_id: box\n" + BINARY + MODEL + "  - {model_id: m1, path: /b, roles: [x]}\n",
            "models[1].model_id: \"m1\" is already used by models[0]"),
        Arguments.of("node_id: box\n" + BINARY + "models:\n  - {model_id: m1, path: /a, roles: [r], gpu: 1}\n",
            "models[0].gpu: no gpus are configured"),
        Arguments.of("node_id: box\ngpus: [0]\n" + BINARY + "models:\n  - {model_id: m1, path: /a, roles: [r], gpu: 1}\n",
            "models[0].gpu: must be one of gpus [0], got 1"),
        Arguments.of("node_id: box\n" + BINARY + "models:\n  - {model_id: m1, path: /a, roles: [r], args: [-ngl, '99',"
            + " --host, 0.0.0.0]}\n", "models[0].args: must not set --host, got \"--host\": the agent runs every"),
        Arguments.of("node_id: box\n" + BINARY + MODEL
            + "  - {model_id: m2, path: /b, roles: [r], args: ['--port=80']}\n",
            "models[1].args: must not set --port, got \"--port=80\""),
        Arguments.of("node_id: box\n" + BINARY
            + "models:\n  - {model_id: m1, path: /a, roles: [r], args: ['--host=::']}\n",
            "models[0].args: must not set --host, got \"--host=::\""),
        Arguments.of("node_id: box\ngpus: [0, 0]\n" + BINARY + MODEL, "gpus[1]: GPU 0 is listed twice"),
        Arguments.of("node_id: box\ngpus: [x]\n" + BINARY + MODEL, "gpus[0]: must be an integer from 0 to 1023"),
        Arguments.of("node_id: box\nlisten: {port: 99999}\n" + BINARY + MODEL,
            "listen.port: must be an integer from 0 to 65535, got 99999"),
        Arguments.of("node_id: box\ngateway: {node_key: k}\n" + BINARY + MODEL,
            "gateway.url: required, like http://10.0.0.2:8000"),
        Arguments.of("node_id: box\ngateway: {url: 'ftp://x'}\n" + BINARY + MODEL, "gateway.url: must be an http(s) URL"),
        Arguments.of("node_id: box\ngateway: {url: 'http://g:8000', heartbeat_s: 0}\n" + BINARY + MODEL,
            "gateway.heartbeat_s: must be a number > 0, got 0"),
        Arguments.of("node_id: box\nlisten: {host: 0.0.0.0}\ngateway: {url: 'http://g:8000'}\n" + BINARY + MODEL,
            "base_url: required when listen.host is 0.0.0.0"),
        Arguments.of("node_id: box\nbase_url: 'http://u:p@10.0.0.1:8091'\n" + BINARY + MODEL,
            "base_url: must not contain user:password@"),
        Arguments.of("node_id: box\nllama_server: {binary: /bin/sh, ready_timeout_s: -1}\n" + MODEL,
            "llama_server.ready_timeout_s: must be a number > 0, got -1"));
  }

  @ParameterizedTest
  @MethodSource("invalidConfigs")
  void invalidConfigIsOneLineNamingFileAndField(String yaml, String expected) {
    assertThatThrownBy(() -> load(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(dir.resolve("agent.yaml") + ": " + expected)
        .extracting(Throwable::getMessage).asString().doesNotContain("\n");
  }

  @Test
  void anErrorInTheOverrideNamesTheOverrideFile() throws Exception {
    Path base = write("base.yaml", "node_id: box\n" + BINARY + MODEL);
    Path local = write("local.yaml", "listen: {port: -5}\n");

    assertThatThrownBy(() -> AgentConfigBinder.load(base, local, Map.of(), warnings::add))
        .hasMessage(local + ": listen.port: must be an integer from 0 to 65535, got -5");
  }

  @Test
  void theCommandExitsWithCode2AndOneLineOnBadConfig() throws Exception {
    Path bad = write("bad.yaml", "node_id: box\n" + BINARY + "models: []\n");
    StringWriter err = new StringWriter();
    CommandLine command = Main.tree().setErr(new PrintWriter(err));

    int code = command.execute("node-agent", "--config", bad.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines().toList()).singleElement().asString()
        .startsWith("rolemesh-node-agent: " + bad + ": models: must list at least one model");
  }
}
