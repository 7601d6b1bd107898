package dev.rolemesh.nodeagent;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static dev.rolemesh.nodeagent.AgentHarness.JSON;
import static dev.rolemesh.testing.TestGateway.CLIENT_KEY;
import static dev.rolemesh.testing.TestGateway.NODE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.HttpCalls;
import dev.rolemesh.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Client → gateway (discovered roles) → node agent → llama-server (the simulator), all over real sockets. */
class EndToEndTest {

  @RegisterExtension final AgentHarness harness = new AgentHarness();
  private TestGateway gateway;
  private HttpCalls http;

  @BeforeEach
  void start() throws Exception {
    gateway = new TestGateway().clientAndNodeKeys()
        .discovered("planner", "planner", ROUND_ROBIN)
        .discovered("writer", "writer", ROUND_ROBIN)
        .start();
    http = HttpCalls.preferringHttp2(gateway::baseUrl);
    // One GPU for two models, and generations long enough that a client can leave in the middle of one.
    harness.start("gateway: {url: '" + gateway.baseUrl() + "', node_key: " + NODE_KEY
        + ", heartbeat_s: 0.5}\ngpus: [0]\nmodels:\n"
        + "  - {model_id: planner-gguf, path: " + harness.weights("Planner.Q5_K_M.gguf") + ", roles: [planner],"
        + " args: [--token-delay-ms, '20', -n, '2000']}\n"
        + "  - {model_id: writer-gguf, path: " + harness.weights("writer.Q8_0.gguf") + ", roles: [writer]}\n");
    Await.until("the node to register", () -> gatewayGet("/v1/nodes").contains("\"test-node\""));
  }

  // The agent deregisters as it stops, so it stops while the gateway still listens.
  @AfterEach
  void stop() {
    harness.stopAgent();
    if (http != null) {
      http.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  private String gatewayGet(String path) {
    return http.get(path, "Authorization", "Bearer " + CLIENT_KEY).body();
  }

  private <T> HttpResponse<T> chat(String role, boolean stream, HttpResponse.BodyHandler<T> body) throws Exception {
    return http.post("/v1/chat/completions", "{\"model\":\"" + role + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}", body, "Authorization", "Bearer " + CLIENT_KEY);
  }

  @Test
  void streamsFromTheRoleThroughTheAgentUnbufferedAndAClientThatLeavesStopsTheGeneration() throws Exception {
    HttpResponse<Stream<String>> response = chat("planner", true, HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    try (Stream<String> lines = response.body()) {
      Iterator<String> events = lines.filter(line -> line.startsWith("data: ")).iterator();
      String first = events.next();
      assertThat(JSON.readTree(first.substring("data: ".length())).get("model").asText()).isEqualTo("planner-gguf");
      // The first token is here while the server is still generating: nothing on the way held the stream back.
      assertThat(harness.server(0).get("in_flight").asInt()).isEqualTo(1);
    }

    Await.until("the agent to see the client leave", () -> harness.server(0).get("in_flight").asInt() == 0);
  }

  @Test
  void aCompleteStreamEndsWithDoneAndAnotherRoleSwitchesTheGpu() throws Exception {
    HttpResponse<String> writer = chat("writer", true, HttpResponse.BodyHandlers.ofString());

    assertThat(writer.statusCode()).isEqualTo(200);
    assertThat(writer.body()).contains("\"model\":\"writer-gguf\"").contains("data: [DONE]");
    assertThat(harness.server(0).get("model").asText()).isEqualTo("writer-gguf");

    HttpResponse<String> planner = chat("planner", false, HttpResponse.BodyHandlers.ofString());

    assertThat(planner.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(planner.body()).get("model").asText()).isEqualTo("planner-gguf");
    assertThat(harness.server(0).get("model").asText()).isEqualTo("planner-gguf");
    Await.until("the gateway to learn writer-gguf is no longer loaded", () -> JSON.readTree(gatewayGet("/v1/nodes"))
        .findValues("served_models").getFirst().get(1).at("/meta/loaded").asText().equals("false"));
  }

  @Test
  void aStoppedAgentDeregistersAndTheRoleIsUnavailable() throws Exception {
    harness.stopAgent();

    assertThat(gatewayGet("/v1/nodes")).doesNotContain("test-node");
    HttpResponse<String> response = chat("planner", false, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(503);
  }
}
