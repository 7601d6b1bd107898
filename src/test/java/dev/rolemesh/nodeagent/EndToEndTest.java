package dev.rolemesh.nodeagent;

import static dev.rolemesh.nodeagent.AgentHarness.JSON;
import static dev.rolemesh.nodeagent.AgentHarness.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.api.GatewayServer;
import dev.rolemesh.config.ConfigLoader;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.testing.Await;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client → gateway (discovered roles) → node agent → llama-server (the simulator), all over real sockets. */
class EndToEndTest {

  private static final String CLIENT_KEY = "client-key";
  private static final String NODE_KEY = "node-key";

  @TempDir Path dir;
  private final Vertx gatewayVertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();
  private GatewayServer gateway;
  private AgentHarness harness;

  @BeforeEach
  void start() throws Exception {
    Path gatewayYaml = Files.writeString(dir.resolve("models.yaml"), """
        version: 1
        default_model: planner
        gateway: {host: 127.0.0.1, port: 0}
        auth: {client_api_keys: [%s], node_api_keys: [%s]}
        models:
          planner: {type: discovered, role: planner}
          writer: {type: discovered, role: writer}
        """.formatted(CLIENT_KEY, NODE_KEY));
    GatewayConfig config = ConfigLoader.load(gatewayYaml, null, Map.of(), warning -> {});
    gateway = GatewayServer.start(gatewayVertx, config, JsonLog.stdout()).toCompletionStage().toCompletableFuture()
        .get();
    // One GPU for two models, and generations long enough that a client can leave in the middle of one.
    harness = new AgentHarness(dir).start("gateway: {url: '" + gateway.baseUrl() + "', node_key: " + NODE_KEY
        + ", heartbeat_s: 0.5}\ngpus: [0]\nmodels:\n"
        + "  - {model_id: planner-gguf, path: " + weights(dir, "Planner.Q5_K_M.gguf") + ", roles: [planner],"
        + " args: [--token-delay-ms, '20', -n, '2000']}\n"
        + "  - {model_id: writer-gguf, path: " + weights(dir, "writer.Q8_0.gguf") + ", roles: [writer]}\n");
    Await.until("the node to register", () -> gatewayGet("/v1/nodes").contains("\"test-node\""));
  }

  @AfterEach
  void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
    if (gateway != null) {
      gateway.close().toCompletionStage().toCompletableFuture().get();
    }
    gatewayVertx.close().toCompletionStage().toCompletableFuture().get();
    http.close();
  }

  private String gatewayGet(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
        .header("Authorization", "Bearer " + CLIENT_KEY).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private HttpRequest chat(String role, boolean stream) {
    return HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + CLIENT_KEY)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + role + "\",\"stream\":" + stream
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"))
        .build();
  }

  @Test
  void streamsFromTheRoleThroughTheAgentUnbufferedAndAClientThatLeavesStopsTheGeneration() throws Exception {
    HttpResponse<Stream<String>> response = http.send(chat("planner", true), HttpResponse.BodyHandlers.ofLines());
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
    HttpResponse<String> writer = http.send(chat("writer", true), HttpResponse.BodyHandlers.ofString());

    assertThat(writer.statusCode()).isEqualTo(200);
    assertThat(writer.body()).contains("\"model\":\"writer-gguf\"").contains("data: [DONE]");
    assertThat(harness.server(0).get("model").asText()).isEqualTo("writer-gguf");

    HttpResponse<String> planner = http.send(chat("planner", false), HttpResponse.BodyHandlers.ofString());

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
    HttpResponse<String> response = http.send(chat("planner", false), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(503);
  }
}
