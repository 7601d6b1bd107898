package dev.rolemesh.nodeagent;

import static dev.rolemesh.nodeagent.AgentHarness.JSON;
import static dev.rolemesh.nodeagent.AgentHarness.weights;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.JavaProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent as its own process: SIGTERM leaves no llama-server behind, whether it was serving or still loading. */
class AgentShutdownTest {

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private JavaProcess agent;

  @AfterEach
  void cleanUp() {
    if (agent != null) {
      agent.process().descendants().forEach(ProcessHandle::destroyForcibly);
      agent.process().destroyForcibly();
    }
    http.close();
  }

  private URI startAgent() throws Exception {
    AgentHarness.writeLauncher(dir);
    AgentHarness.config(dir, "", "models:\n  - {model_id: m, path: " + weights(dir, "m.gguf") + ", roles: [r]}\n");
    agent = JavaProcess.start(dir, List.of("-Xmx128m"), false,
        "node-agent", "--config", dir.resolve("agent.yaml").toString());
    JsonNode started = json(agent.awaitLine(line -> json(line).path("event").asText().equals("agent_started")));
    return URI.create(started.get("listen").asText());
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
    List<ProcessHandle> children = agent.process().descendants().toList();
    assertThat(children).extracting(ProcessHandle::pid).contains(serverPid);

    agent.terminate();
    agent.awaitExit();

    assertThat(children).noneMatch(ProcessHandle::isAlive);
    assertThat(String.join("\n", agent.output())).contains("\"server_stopped\"").contains("\"agent_stopped\"");
  }

  @Test
  void sigtermDuringALoadStopsTheLoadingServerToo() throws Exception {
    URI base = startAgent();
    Files.createFile(dir.resolve("hold"));
    CompletableFuture<HttpResponse<String>> pending = chat(base);
    Await.until("the load to start", () -> server(base).get("state").asText().equals("loading")
        && !server(base).get("pid").isNull());
    List<ProcessHandle> children = agent.process().descendants().toList();
    assertThat(children).isNotEmpty();

    agent.terminate();
    agent.awaitExit();

    assertThat(children).noneMatch(ProcessHandle::isAlive);
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
}
