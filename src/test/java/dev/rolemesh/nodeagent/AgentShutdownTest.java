package dev.rolemesh.nodeagent;

import static dev.rolemesh.nodeagent.AgentHarness.JSON;
import static dev.rolemesh.nodeagent.AgentHarness.await;
import static dev.rolemesh.nodeagent.AgentHarness.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as its own process: SIGTERM leaves no llama-server behind, whether it was serving or still loading; a
 * server outlives neither an agent killed with SIGKILL nor, failing that, the agent's next start; and a state_dir
 * serves one agent at a time.
 */
class AgentShutdownTest {

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private Process agent;

  @AfterEach
  void cleanUp() {
    if (agent != null) {
      agent.descendants().forEach(ProcessHandle::destroyForcibly);
      agent.destroyForcibly();
    }
    http.close();
  }

  private URI startAgent() throws Exception {
    AgentHarness.writeLauncher(dir);
    AgentHarness.config(dir, "", models());
    Path out = dir.resolve("agent.out");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    agent = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        "dev.rolemesh.cli.Main", "node-agent", "--config", dir.resolve("agent.yaml").toString())
        .redirectOutput(out.toFile())
        .redirectError(dir.resolve("agent.err").toFile())
        .start();
    await("the agent to listen", () -> Files.readString(out).contains("\"agent_started\""));
    JsonNode started = Files.readAllLines(out).stream().map(AgentShutdownTest::json)
        .filter(line -> line.path("event").asText().equals("agent_started")).findFirst().orElseThrow();
    return URI.create(started.get("listen").asText());
  }

  private String models() {
    return "models:\n  - {model_id: m, path: " + weights(dir, "m.gguf") + ", roles: [r]}\n";
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> chat(URI base) {
    return http.sendAsync(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode server(URI base) throws Exception {
    return JSON.readTree(send(HttpRequest.newBuilder(base.resolve("/v1/node/inventory")).build()).body())
        .get("servers").get(0);
  }

  @Test
  void sigtermStopsTheServingLlamaServerBeforeTheAgentExits() throws Exception {
    URI base = startAgent();
    assertThat(chat(base).get().statusCode()).isEqualTo(200);
    long serverPid = server(base).get("pid").asLong();
    List<ProcessHandle> children = agent.descendants().toList();
    assertThat(children).extracting(ProcessHandle::pid).contains(serverPid);

    agent.destroy();
    agent.waitFor();

    assertThat(children).noneMatch(ServerRecords::running);
    assertThat(Files.readString(dir.resolve("agent.out"))).contains("\"server_stopped\"").contains("\"agent_stopped\"");
  }

  @Test
  void sigtermDuringALoadStopsTheLoadingServerToo() throws Exception {
    URI base = startAgent();
    Files.createFile(dir.resolve("hold"));
    CompletableFuture<HttpResponse<String>> pending = chat(base);
    await("the load to start", () -> server(base).get("state").asText().equals("loading")
        && !server(base).get("pid").isNull());
    List<ProcessHandle> children = agent.descendants().toList();
    assertThat(children).isNotEmpty();

    agent.destroy();
    agent.waitFor();

    assertThat(children).noneMatch(ServerRecords::running);
    // The waiting request is told the agent is going away, unless the connection went first.
    assertThat(pending.handle((response, error) -> response == null ? 503 : response.statusCode()).get())
        .isEqualTo(503);
  }

  private static JsonNode json(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      return JSON.createObjectNode();
    }
  }

  @Test
  void sigkillOfTheAgentLeavesNoServerRunningOnceItIsBack() throws Exception {
    URI base = startAgent();
    assertThat(chat(base).get().statusCode()).isEqualTo(200);
    // A handle knows its process's start time, so it never signals a later process that reuses the pid.
    ProcessHandle llamaServer = ProcessHandle.of(server(base).get("pid").asLong()).orElseThrow();

    agent.destroyForcibly();
    agent.waitFor();
    try {
      startAgent();

      // Killed with the agent by the parent-death signal, or else by the next start before it listened.
      assertThat(ServerRecords.running(llamaServer)).isFalse();
      try (Stream<Path> records = Files.list(AgentHarness.stateDir(dir))) {
        assertThat(records.map(Path::toString)).noneMatch(name -> name.endsWith(".pid"));
      }
    } finally {
      // No longer the agent's descendant: the clean-up after each test would miss it.
      llamaServer.destroyForcibly();
    }
  }

  @Test
  void aServerRecordedByAPreviousRunIsKilledBeforeTheAgentListens() throws Exception {
    AgentHarness.writeLauncher(dir);
    Files.createFile(dir.resolve("hold"));
    // The launcher waits while "hold" exists: a stand-in for a server that lost its agent.
    Process leftover = new ProcessBuilder(AgentHarness.launcher(dir).toString()).start();
    try (ServerRecords records = ServerRecords.open(AgentHarness.stateDir(dir))) {
      records.record(leftover.toHandle(), List.of(AgentHarness.launcher(dir).toString()));
    }

    try {
      startAgent();

      assertThat(AgentHarness.alive(leftover.pid())).isFalse();
      assertThat(Files.readString(dir.resolve("agent.out"))).contains("\"leftover_server_killed\"");
    } finally {
      leftover.destroyForcibly();
    }
  }

  @Test
  void aSecondAgentOnTheSameStateDirDoesNotStart() throws Exception {
    startAgent();

    try (AgentHarness second = new AgentHarness(dir)) {
      assertThatThrownBy(() -> second.start(models())).rootCause()
          .hasMessage("state_dir " + AgentHarness.stateDir(dir) + " is in use by another node agent");
    }
  }
}
