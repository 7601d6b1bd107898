package dev.rolemesh.nodeagent;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.observability.JsonLog;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A node agent in this JVM, with the project's simulator standing in for llama-server: a shell script execs
 * {@code rolemesh sim} with the flags the agent passes. The script records each launch and, while the file
 * {@link #hold()} exists, waits before starting the simulator, so a test can keep a load pending for as long as it
 * needs to line requests up.
 */
final class AgentHarness implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  private final Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();
  private NodeAgent agent;

  AgentHarness(Path dir) {
    this.dir = dir;
    writeLauncher(dir);
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
    agent = NodeAgent.start(vertx, config(dir, llamaSettings, yaml), JsonLog.stdout())
        .toCompletionStage().toCompletableFuture().get();
    return this;
  }

  /** The config the harness starts, written to agent.yaml and loaded. */
  static AgentConfig config(Path dir, String llamaSettings, String yaml) throws Exception {
    String full = "node_id: test-node\nlisten: {host: 127.0.0.1, port: 0}\nstate_dir: '" + stateDir(dir)
        + "'\nllama_server: {binary: '"
        + launcher(dir) + "'" + (llamaSettings.isEmpty() ? "" : ", " + llamaSettings) + "}\n" + yaml;
    Path file = Files.writeString(dir.resolve("agent.yaml"), full);
    return AgentConfigBinder.load(file, null, Map.of("DIR", dir.toString()), warning -> fail(warning));
  }

  static Path stateDir(Path dir) {
    return dir.resolve("state");
  }

  static Path launcher(Path dir) {
    return dir.resolve("llama-server");
  }

  /** A weight file the simulator accepts (it only checks that the file exists). */
  static String weights(Path dir, String name) {
    try {
      return Files.writeString(dir.resolve(name), "not really weights").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void writeLauncher(Path dir) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String script = "#!/bin/sh\n"
        + "echo $$ >> '" + dir.resolve("launches") + "'\n"
        + "while [ -e '" + dir.resolve("hold") + "' ]; do sleep 0.05; done\n"
        + "exec '" + java + "' -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '"
        + System.getProperty("java.class.path") + "' dev.rolemesh.cli.Main sim \"$@\"\n";
    try {
      Path file = Files.writeString(launcher(dir), script);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + agent.port() + path);
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(url(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode inventory() throws Exception {
    return JSON.readTree(get("/v1/node/inventory").body());
  }

  /** The inventory entry of the server on {@code gpu} (null for the CPU slot). */
  JsonNode server(Integer gpu) throws Exception {
    for (JsonNode server : inventory().get("servers")) {
      if (gpu == null ? server.get("gpu").isNull() : server.get("gpu").asInt(-1) == gpu) {
        return server;
      }
    }
    throw new AssertionError("no server for gpu " + gpu);
  }

  CompletableFuture<HttpResponse<String>> chatAsync(String model, boolean stream) {
    String body = "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    HttpRequest request = HttpRequest.newBuilder(url("/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> chat(String model) throws Exception {
    return chatAsync(model, false).get();
  }

  /** Waits until {@code condition} holds, checking every few milliseconds; fails after a generous limit. */
  static void await(String what, ThrowingCondition condition) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        fail("gave up waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  @FunctionalInterface
  interface ThrowingCondition {
    boolean holds() throws Exception;
  }

  /** Running, as the agent sees it: an exited process its new parent never reaped does not count. */
  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ServerRecords::running).orElse(false);
  }

  /** Stops the agent as a clean shutdown would (deregister, stop servers, close its port). */
  void stopAgent() throws Exception {
    NodeAgent stopping = agent;
    agent = null;
    stopping.stop().toCompletionStage().toCompletableFuture().get();
  }

  @Override
  public void close() throws Exception {
    Files.deleteIfExists(hold());
    if (agent != null) {
      stopAgent();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get();
    http.close();
  }
}
