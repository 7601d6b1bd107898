package dev.rolemesh.nodeagent;

import static dev.rolemesh.nodeagent.AgentHarness.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.FreePorts;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Registration against a stand-in gateway that records what it is sent: late gateway, payload, heartbeats,
 * re-registration after a 404, deregistration on stop. (The real registry is exercised in the end-to-end test.)
 */
class RegistrationTest {

  @RegisterExtension final AgentHarness harness = new AgentHarness();
  private final Vertx gatewayVertx = Vertx.vertx();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final AtomicBoolean forgetNode = new AtomicBoolean();

  private record Call(String method, String path, String nodeKey, JsonNode body) {}

  // The agent deregisters as it stops, so it stops while the stand-in gateway still listens.
  @AfterEach
  void stop() {
    harness.stopAgent();
    Await.result(gatewayVertx.close());
  }

  private String agentYaml(int gatewayPort) {
    return "gateway: {url: 'http://127.0.0.1:" + gatewayPort + "/v1', node_key: k1, heartbeat_s: 0.2}\n"
        + "gpus: [0]\n"
        + "models:\n"
        + "  - {model_id: alpha, path: " + harness.weights("Alpha-7B.Q5_K_M.gguf") + ", roles: [planner, writer],"
        + " ctx: 4096}\n"
        + "  - {model_id: beta, path: " + harness.weights("beta.gguf") + ", roles: [coder], args: [-np, '2']}\n";
  }

  private void startGateway(int port) throws Exception {
    HttpServer server = gatewayVertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      JsonNode json = null;
      try {
        json = body.length() == 0 ? null : JSON.readTree(body.getBytes());
      } catch (IOException e) {
        request.response().setStatusCode(400).end();
        return;
      }
      calls.add(new Call(request.method().name(), request.path(), request.getHeader("X-RoleMesh-Node-Key"), json));
      boolean unknown = forgetNode.get() && request.path().equals("/v1/nodes/heartbeat");
      if (unknown) {
        forgetNode.set(false);
      }
      request.response().setStatusCode(unknown ? 404 : 200).putHeader("Content-Type", "application/json")
          .end(unknown ? "{\"error\":{\"code\":\"unknown_node\"}}" : "{\"ok\":true}");
    }));
    server.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
  }

  private void startGatewayThenAgent() throws Exception {
    int port = FreePorts.loopback();
    startGateway(port);
    harness.start(agentYaml(port));
  }

  private List<Call> calls(String path) {
    return calls.stream().filter(call -> call.path().equals(path)).toList();
  }

  @Test
  void registersOnceTheGatewayComesUpAndAdvertisesEveryModel() throws Exception {
    int port = FreePorts.loopback();
    harness.start(agentYaml(port));
    Await.until("a failed registration attempt", () -> harness.get("/ready").body().contains("registration with"));
    assertThat(harness.get("/ready").statusCode()).isEqualTo(503);

    startGateway(port);

    Await.until("the agent to register", () -> !calls("/v1/nodes/register").isEmpty());
    Call registration = calls("/v1/nodes/register").getFirst();
    assertThat(registration.nodeKey()).isEqualTo("k1");
    JsonNode body = registration.body();
    assertThat(body.get("node_id").asText()).isEqualTo("test-node");
    assertThat(body.get("base_url").asText()).isEqualTo("http://127.0.0.1:" + harness.agent().port());
    JsonNode alpha = body.get("served_models").get(0);
    assertThat(alpha.get("model_id").asText()).isEqualTo("alpha");
    assertThat(alpha.get("roles")).extracting(JsonNode::asText).containsExactly("planner", "writer");
    assertThat(alpha.get("meta").get("file").asText()).isEqualTo("Alpha-7B.Q5_K_M.gguf");
    assertThat(alpha.get("meta").get("quant").asText()).isEqualTo("Q5_K_M");
    assertThat(alpha.get("meta").get("ctx").asInt()).isEqualTo(4096);
    assertThat(alpha.get("meta").get("loaded").asBoolean()).isFalse();
    assertThat(alpha.get("meta").get("parallel").asInt()).isEqualTo(4);
    assertThat(body.get("served_models").get(1).get("model_id").asText()).isEqualTo("beta");
    assertThat(body.at("/served_models/1/meta/parallel").asInt()).isEqualTo(2);
    assertThat(body.at("/meta/agent").asText()).isEqualTo("rolemesh-node-agent");
    assertThat(body.at("/meta/host/cpus").asInt()).isPositive();
    assertThat(body.at("/meta/servers/0/state").asText()).isEqualTo("empty");
    Await.until("/ready to turn 200", () -> harness.get("/ready").statusCode() == 200);
  }

  @Test
  void heartbeatsCarryLoadAndALoadReRegistersWithTheModelMarkedLoaded() throws Exception {
    startGatewayThenAgent();
    Await.until("a heartbeat", () -> !calls("/v1/nodes/heartbeat").isEmpty());
    JsonNode heartbeat = calls("/v1/nodes/heartbeat").getFirst().body();
    assertThat(heartbeat.get("node_id").asText()).isEqualTo("test-node");
    assertThat(heartbeat.get("in_flight").asInt()).isZero();
    assertThat(heartbeat.get("loaded_models")).isEmpty();
    assertThat(heartbeat.get("free_slots").asInt()).isZero();
    assertThat(heartbeat.at("/served_models/0/model_id").asText()).isEqualTo("alpha");
    assertThat(heartbeat.at("/served_models/0/meta/parallel").asInt()).isEqualTo(4);
    assertThat(heartbeat.at("/served_models/1/meta/parallel").asInt()).isEqualTo(2);

    assertThat(harness.chat("alpha").statusCode()).isEqualTo(200);

    Await.until("a registration with alpha loaded", () -> calls("/v1/nodes/register").stream()
        .anyMatch(call -> call.body().at("/served_models/0/meta/loaded").asBoolean()));
    JsonNode loaded = calls("/v1/nodes/register").getLast().body().at("/served_models/0/meta");
    assertThat(loaded.get("gpu").asInt()).isEqualTo(0);
    // free_slots: the request has released its slot (it does so just after its answer ends).
    Await.until("a heartbeat naming alpha with all its slots free", () -> {
      JsonNode warm = calls("/v1/nodes/heartbeat").getLast().body();
      return warm.get("loaded_models").toString().equals("[\"alpha\"]") && warm.get("free_slots").asInt() == 4;
    });
    assertThat(calls("/v1/nodes/heartbeat").getLast().body().at("/served_models/0/meta/loaded").asBoolean())
        .isTrue();
  }

  @Test
  void aHeartbeatAnswered404MakesTheAgentRegisterAgain() throws Exception {
    startGatewayThenAgent();
    Await.until("the first registration", () -> calls("/v1/nodes/register").size() == 1);

    forgetNode.set(true);

    Await.until("a second registration", () -> calls("/v1/nodes/register").size() == 2);
  }

  @Test
  void aCleanStopDeregisters() throws Exception {
    startGatewayThenAgent();
    Await.until("the registration", () -> !calls("/v1/nodes/register").isEmpty());

    harness.stopAgent();

    assertThat(calls("/v1/nodes/test-node")).singleElement().satisfies(call -> {
      assertThat(call.method()).isEqualTo("DELETE");
      assertThat(call.nodeKey()).isEqualTo("k1");
    });
  }
}
