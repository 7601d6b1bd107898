package dev.rolemesh.nodeagent;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.HttpCalls;
import dev.rolemesh.testing.JavaProcess;
import dev.rolemesh.testing.JsonResponse;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A node agent in this JVM, with the project's simulator standing in for llama-server: a shell script execs
 * {@code rolemesh sim} with the flags the agent passes. The script records each launch and, while the file
 * {@link #hold()} exists, waits before starting the simulator, so a test can keep a load pending for as long as it
 * needs to line requests up.
 *
 * <p>Registered as an extension ({@code @RegisterExtension final AgentHarness harness = new AgentHarness()}), it
 * gives each test a fresh directory with the launcher in it, and after the test stops the agent, every server it
 * started and the directory.
 */
final class AgentHarness implements BeforeEachCallback, AfterEachCallback {

  static final ObjectMapper JSON = new ObjectMapper();

  private NodeAgent agent;
  private final HttpCalls http = HttpCalls.preferringHttp2(() -> "http://127.0.0.1:" + agent.port());
  private Path dir;
  private Vertx vertx;
  private String listenExtra = "";
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  private final JsonLog log = JsonLog.to(new PrintStream(logBytes, true, StandardCharsets.UTF_8));

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    dir = Files.createTempDirectory("agent-harness");
    writeLauncher();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Files.deleteIfExists(hold());
    stopAgent();
    if (vertx != null) {
      Await.result(vertx.close());
    }
    http.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  int port() {
    return agent.port();
  }

  /** What the agent logged so far, one JSON object a line. */
  List<String> log() {
    log.flush();
    return logBytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  /** This test's directory: the launcher, agent.yaml, weight files, the launch record. */
  Path dir() {
    return dir;
  }

  /** More {@code listen} keys in flow style for the next start, like {@code tls: {cert_file: ...}}. */
  AgentHarness listen(String keys) {
    listenExtra = ", " + keys;
    return this;
  }

  AgentHarness start(String yaml) throws Exception {
    return start("", yaml);
  }

  /**
   * Starts an agent whose config is {@code yaml} plus node_id, listen port 0 and the simulator as llama_server.
   *
   * @param llamaSettings more {@code llama_server} keys in flow style, like {@code ready_timeout_s: 1}
   */
  AgentHarness start(String llamaSettings, String yaml) throws Exception {
    if (vertx == null) {
      vertx = Vertx.vertx();
    }
    agent = Await.result(NodeAgent.start(vertx, config(llamaSettings, yaml), log));
    return this;
  }

  /** The config {@link #start} runs, written to agent.yaml (for an agent in its own process too) and loaded. */
  AgentConfig config(String llamaSettings, String yaml) throws Exception {
    String full = "node_id: test-node\nlisten: {host: 127.0.0.1, port: 0" + listenExtra + "}\nstate_dir: '"
        + stateDir()
        + "'\nllama_server: {binary: '"
        + launcher() + "'" + (llamaSettings.isEmpty() ? "" : ", " + llamaSettings) + "}\n" + yaml;
    Path file = Files.writeString(dir.resolve("agent.yaml"), full);
    return AgentConfigBinder.load(file, null, Map.of("DIR", dir.toString()), warning -> fail(warning));
  }

  /** Where the agent keeps its pid files. */
  Path stateDir() {
    return dir.resolve("state");
  }

  /** The script the agent runs as llama-server. */
  Path launcher() {
    return dir.resolve("llama-server");
  }

  /** A weight file the simulator accepts (it only checks that the file exists); returns its path. */
  String weights(String name) {
    try {
      return Files.writeString(dir.resolve(name), "not really weights").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeLauncher() throws IOException {
    // Small and quick to start: a test may run several at once on a small machine.
    List<String> sim = JavaProcess.command(
        List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), JavaProcess.CLI, "sim");
    String script = "#!/bin/sh\n"
        + "echo $$ >> " + shellQuoted(dir.resolve("launches")) + "\n"
        + "while [ -e " + shellQuoted(hold()) + " ]; do sleep 0.05; done\n"
        + "exec " + String.join(" ", sim.stream().map(AgentHarness::shellQuoted).toList()) + " \"$@\"\n";
    Path file = Files.writeString(launcher(), script);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static String shellQuoted(Object word) {
    return "'" + word.toString().replace("'", "'\\''") + "'";
  }

  Path hold() {
    return dir.resolve("hold");
  }

  /** The pids of every simulator launched so far, in launch order (the script execs, so each is the sim's pid). */
  List<Long> launches() throws IOException {
    Path file = dir.resolve("launches");
    return Files.exists(file) ? Files.readAllLines(file).stream().map(Long::parseLong).toList() : List.of();
  }

  NodeAgent agent() {
    return agent;
  }

  JsonResponse get(String path) {
    return http.get(path);
  }

  JsonNode inventory() {
    return get("/v1/node/inventory").json();
  }

  /** The inventory entry of the server on {@code gpu} (null for the CPU slot). */
  JsonNode server(Integer gpu) {
    for (JsonNode server : inventory().get("servers")) {
      if (gpu == null ? server.get("gpu").isNull() : server.get("gpu").asInt(-1) == gpu) {
        return server;
      }
    }
    throw new AssertionError("no server for gpu " + gpu);
  }

  CompletableFuture<JsonResponse> chatAsync(String model, boolean stream) {
    return http.postAsync("/v1/chat/completions", "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  JsonResponse chat(String model) throws Exception {
    return chatAsync(model, false).get();
  }

  /** Running, as the agent sees it: an exited process its new parent never reaped does not count. */
  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ServerRecords::running).orElse(false);
  }

  /** Stops the agent as a clean shutdown would (deregister, stop servers, close its port), if it is running. */
  void stopAgent() {
    if (agent != null) {
      NodeAgent stopping = agent;
      agent = null;
      Await.result(stopping.stop());
    }
  }
}
