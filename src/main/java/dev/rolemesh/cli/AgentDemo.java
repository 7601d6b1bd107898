package dev.rolemesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.api.GatewayServer;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.nodeagent.AgentConfigBinder;
import dev.rolemesh.nodeagent.NodeAgent;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.registry.RegistrySettings;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code rolemesh demo --agent}: a gateway whose roles are {@code type: discovered}, and a node agent with two
 * simulated GPU slots and three models that registers with it. The simulator stands in for llama-server, as
 * {@code llama_server.binary: bin/rolemesh-sim} does on a machine without a GPU. The walk-through shows a load onto
 * a free GPU, a switch of the least recently used one, and a stream.
 */
final class AgentDemo {

  private static final String NODE_ID = "demo-node";
  /** Role, model id and the simulator's delay per token. */
  private static final List<String[]> MODELS = List.of(
      new String[] {"planner", "planner-sim", "25"},
      new String[] {"writer", "writer-sim", "40"},
      new String[] {"coder", "coder-sim", "30"});

  private final Path dir;
  private final GatewayServer gateway;
  private final NodeAgent agent;

  private AgentDemo(Path dir, GatewayServer gateway, NodeAgent agent) {
    this.dir = dir;
    this.gateway = gateway;
    this.agent = agent;
  }

  /** Starts the gateway on {@code host:port}, then the agent beside it, registering with it. */
  static AgentDemo start(Vertx vertx, String host, int port, JsonLog log) throws Exception {
    Path dir = Files.createTempDirectory("rolemesh-demo-agent-");
    try {
      GatewayServer gateway = GatewayRunner.start(vertx, gatewayConfig(host, port), RegistrySettings.inMemory(), log);
      Path config = Files.writeString(dir.resolve("node_agent.yaml"), agentYaml(dir, gateway.baseUrl()));
      NodeAgent agent = VertxRuntime.await(NodeAgent.start(vertx,
          AgentConfigBinder.load(config, null, Map.of(), warning -> log.warn("config_warning", warning)), log));
      return new AgentDemo(dir, gateway, agent);
    } catch (Exception e) {
      deleteTree(dir);
      throw e;
    }
  }

  GatewayServer gateway() {
    return gateway;
  }

  void walkThrough(PrintStream out) throws Exception {
    String base = gateway.baseUrl();
    String agentUrl = agent.baseUrl().toString();
    try (DemoCalls calls = new DemoCalls()) {
      out.println("RoleMesh demo with a node agent: gateway at " + base + " with the discovered roles planner, writer"
          + " and coder;");
      out.println("node agent " + NODE_ID + " at " + agentUrl + " with two simulated GPU slots (gpus: [0, 1]) and"
          + " three models,");
      out.println("the simulator standing in for llama-server (as llama_server.binary: bin/rolemesh-sim does).");
      out.println();
      out.println("$ GET /v1/nodes   (the agent registered itself and every model it can load)");
      JsonNode node = awaitRegistration(calls, base);
      for (JsonNode model : node.path("served_models")) {
        List<String> roles = new ArrayList<>();
        model.path("roles").forEach(role -> roles.add(role.asText()));
        out.println("  " + model.path("model_id").asText() + " for role " + String.join(", ", roles));
      }
      printSlots(out, calls, agentUrl);
      chat(out, calls, base, "planner", "load: a free GPU starts planner-sim");
      printSlots(out, calls, agentUrl);
      chat(out, calls, base, "writer", "load: the other free GPU starts writer-sim");
      printSlots(out, calls, agentUrl);
      out.println();
      out.println("$ POST /v1/chat/completions  model=coder stream=true   (switch: both GPUs are taken, so the one used"
          + " least recently trades planner-sim for coder-sim; tokens print as they arrive)");
      out.print("  ");
      calls.stream(out, base, "coder");
      out.println();
      printSlots(out, calls, agentUrl);
    }
  }

  private static void chat(PrintStream out, DemoCalls calls, String base, String role, String what)
      throws Exception {
    out.println();
    out.println("$ POST /v1/chat/completions  model=" + role + "   (" + what + ")");
    long started = System.nanoTime();
    JsonNode completion = calls.chat(base, role);
    out.printf("  served by %s after %.1f s: %s%n", completion.path("model").asText(),
        (System.nanoTime() - started) / 1e9, DemoCalls.content(completion));
  }

  private static void printSlots(PrintStream out, DemoCalls calls, String agentUrl) throws Exception {
    List<String> slots = new ArrayList<>();
    for (JsonNode server : calls.get(agentUrl + "/v1/node/inventory").path("servers")) {
      slots.add("GPU " + server.path("gpu").asInt() + ": "
          + (server.path("model").isNull() ? "" : server.path("model").asText() + " ") + server.path("state").asText());
    }
    out.println("  " + String.join("   ", slots) + "   (the agent's /v1/node/inventory)");
  }

  /** The node as the gateway lists it, once it has registered (the first registration waits for nvidia-smi). */
  private static JsonNode awaitRegistration(DemoCalls calls, String base) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (JsonNode node : calls.get(base + "/v1/nodes").path("data")) {
        if (NODE_ID.equals(node.path("node_id").asText())) {
          return node;
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the node agent did not register within 60 s");
  }

  /** Deregisters the agent, stops the simulators it started and removes the demo's files. */
  void stop() throws Exception {
    try {
      VertxRuntime.await(agent.stop());
    } finally {
      deleteTree(dir);
    }
  }

  private static GatewayConfig gatewayConfig(String host, int port) {
    Timeouts timeouts = Timeouts.DEFAULTS;
    Map<String, ModelConfig> models = new LinkedHashMap<>();
    for (String[] model : MODELS) {
      models.put(model[0], new ModelConfig(model[0], model[0], Map.of("temperature", 0, "max_tokens", 24), timeouts,
          new ModelTarget.Discovered(model[0], ModelTarget.Strategy.ROUND_ROBIN)));
    }
    return new GatewayConfig(1, "planner", DemoCommand.settings(host, port), AuthConfig.OPEN, models, null);
  }

  /**
   * The agent's config, with a script as llama-server that runs this very jar's simulator (bin/rolemesh-sim does the
   * same through the launcher) and an empty file per model: the simulator only checks that the file exists.
   */
  private static String agentYaml(Path dir, String gatewayUrl) throws IOException {
    Path binary = dir.resolve("llama-server");
    Files.writeString(binary, "#!/bin/sh\nexec " + String.join(" ", simCommand().stream().map(AgentDemo::quoted)
        .toList()) + " \"$@\"\n");
    Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
    StringBuilder yaml = new StringBuilder()
        .append("node_id: ").append(NODE_ID).append('\n')
        .append("listen: {host: 127.0.0.1, port: 0}\n")
        .append("gateway: {url: '").append(gatewayUrl).append("', heartbeat_s: 2}\n")
        .append("state_dir: '").append(dir.resolve("state")).append("'\n")
        .append("llama_server: {binary: '").append(binary).append("', ready_timeout_s: 120}\n")
        .append("gpus: [0, 1]\n")
        .append("models:\n");
    for (String[] model : MODELS) {
      Path weights = Files.createFile(dir.resolve(model[1] + ".gguf"));
      yaml.append("  - {model_id: ").append(model[1]).append(", path: '").append(weights).append("', roles: [")
          .append(model[0]).append("], args: [--token-delay-ms, '").append(model[2]).append("']}\n");
    }
    return yaml.toString();
  }

  /** {@code java ... rolemesh sim}, small and quick to start, with this JVM's JDK and classpath. */
  private static List<String> simCommand() {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED"));
    if (Runtime.version().feature() >= 23) {
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "sim"));
    return command;
  }

  private static String quoted(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }
}
