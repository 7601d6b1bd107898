package dev.rolemesh.nodeagent;

import static dev.rolemesh.nodeagent.AgentHarness.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.HttpCalls;
import dev.rolemesh.testing.JavaProcess;
import dev.rolemesh.testing.JsonResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent as its own process: SIGTERM leaves no llama-server behind, whether it was serving or still loading; a
 * server outlives neither an agent killed with SIGKILL nor, failing that, the agent's next start; and a state_dir
 * serves one agent at a time.
 */
class AgentShutdownTest {

  @RegisterExtension final AgentHarness harness = new AgentHarness();
  private JavaProcess agent;
  private HttpCalls http;

  @AfterEach
  void cleanUp() {
    if (agent != null) {
      agent.process().descendants().forEach(ProcessHandle::destroyForcibly);
      agent.process().destroyForcibly();
    }
    if (http != null) {
      http.close();
    }
  }

  /** Starts the harness's agent config as its own process, and returns once it listens. */
  private void startAgent() throws Exception {
    harness.config("", models());
    agent = JavaProcess.start(harness.dir(), List.of("-Xmx128m"), false,
        "node-agent", "--config", harness.dir().resolve("agent.yaml").toString());
    JsonNode started = json(agent.awaitLine(line -> json(line).path("event").asText().equals("agent_started")));
    String listen = started.get("listen").asText();
    if (http != null) {
      http.close();
    }
    http = HttpCalls.preferringHttp2(() -> listen);
  }

  private String models() {
    return "models:\n  - {model_id: m, path: " + harness.weights("m.gguf") + ", roles: [r]}\n";
  }

  private CompletableFuture<JsonResponse> chat() {
    return http.postAsync("/v1/chat/completions",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
  }

  private JsonNode server() {
    return http.get("/v1/node/inventory").json().get("servers").get(0);
  }

  @Test
  void sigtermStopsTheServingLlamaServerBeforeTheAgentExits() throws Exception {
    startAgent();
    assertThat(chat().get().statusCode()).isEqualTo(200);
    long serverPid = server().get("pid").asLong();
    List<ProcessHandle> children = agent.process().descendants().toList();
    assertThat(children).extracting(ProcessHandle::pid).contains(serverPid);

    agent.terminate();
    agent.awaitExit();

    assertThat(children).noneMatch(ServerRecords::running);
    assertThat(String.join("\n", agent.output())).contains("\"server_stopped\"").contains("\"agent_stopped\"");
  }

  @Test
  void sigtermDuringALoadStopsTheLoadingServerToo() throws Exception {
    startAgent();
    Files.createFile(harness.hold());
    CompletableFuture<JsonResponse> pending = chat();
    Await.until("the load to start", () -> server().get("state").asText().equals("loading")
        && !server().get("pid").isNull());
    List<ProcessHandle> children = agent.process().descendants().toList();
    assertThat(children).isNotEmpty();

    agent.terminate();
    agent.awaitExit();

    assertThat(children).noneMatch(ServerRecords::running);
    // The waiting request is answered before the agent closes its listener: a dropped connection is a failure.
    JsonResponse answer = pending.get();
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
    assertThat(answer.headers().firstValue("Retry-After")).isPresent();
    assertThat(answer.json().path("error").path("message").asText()).isEqualTo("The node agent is shutting down");
    assertThat(answer.json().path("error").path("code").asText()).isEqualTo("model_unavailable");
  }

  @Test
  void sigkillOfTheAgentLeavesNoServerRunningOnceItIsBack() throws Exception {
    startAgent();
    assertThat(chat().get().statusCode()).isEqualTo(200);
    // A handle knows its process's start time, so it never signals a later process that reuses the pid.
    ProcessHandle llamaServer = ProcessHandle.of(server().get("pid").asLong()).orElseThrow();

    agent.kill();
    try {
      startAgent();

      // Killed with the agent by the parent-death signal, or else by the next start before it listened.
      assertThat(ServerRecords.running(llamaServer)).isFalse();
      try (Stream<Path> records = Files.list(harness.stateDir())) {
        assertThat(records.map(Path::toString)).noneMatch(name -> name.endsWith(".pid"));
      }
    } finally {
      // No longer the agent's descendant: the clean-up after each test would miss it.
      llamaServer.destroyForcibly();
    }
  }

  @Test
  void aServerRecordedByAPreviousRunIsKilledBeforeTheAgentListens() throws Exception {
    Files.createFile(harness.hold());
    // The launcher waits while "hold" exists: a stand-in for a server that lost its agent.
    Process leftover = new ProcessBuilder(harness.launcher().toString()).start();
    try (ServerRecords records = ServerRecords.open(harness.stateDir())) {
      records.record(leftover.toHandle(), List.of(harness.launcher().toString()));
    }

    try {
      startAgent();

      assertThat(AgentHarness.alive(leftover.pid())).isFalse();
      assertThat(agent.output()).anyMatch(line -> line.contains("\"leftover_server_killed\""));
    } finally {
      leftover.destroyForcibly();
    }
  }

  @Test
  void aSecondAgentOnTheSameStateDirDoesNotStart() throws Exception {
    startAgent();

    // The harness's own agent, in this JVM, on the config and state_dir of the one in its own process.
    assertThatThrownBy(() -> harness.start(models())).rootCause()
        .hasMessage("state_dir " + harness.stateDir() + " is in use by another node agent");
  }

  private static JsonNode json(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      return JSON.createObjectNode();
    }
  }
}
