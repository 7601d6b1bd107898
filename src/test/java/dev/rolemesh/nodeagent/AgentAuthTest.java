package dev.rolemesh.nodeagent;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static dev.rolemesh.testing.TestGateway.CLIENT_KEY;
import static dev.rolemesh.testing.TestGateway.NODE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.HttpCalls;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.NodeRegistrations;
import dev.rolemesh.testing.TestGateway;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An agent with {@code auth.api_keys} serves only callers holding one: the gateway's node_upstream_key. */
class AgentAuthTest {

  private static final String AGENT_KEY = "agent-secret";
  private static final String CHAT = "{\"model\":\"planner-gguf\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @RegisterExtension final AgentHarness harness = new AgentHarness();
  private TestGateway gateway;
  private HttpCalls agent;

  @BeforeEach
  void start() throws Exception {
    gateway = new TestGateway()
        .auth(new AuthConfig(new AuthConfig(List.of(CLIENT_KEY), List.of(NODE_KEY)).clientKeys(), List.of(NODE_KEY),
            AGENT_KEY))
        .discovered("planner", "planner", ROUND_ROBIN)
        .start();
    harness.start("gateway: {url: '" + gateway.baseUrl() + "', node_key: " + NODE_KEY + "}\n"
        + "auth: {api_keys: [other-key, " + AGENT_KEY + "]}\nmodels:\n"
        + "  - {model_id: planner-gguf, path: " + harness.weights("planner.gguf") + ", roles: [planner]}\n");
    agent = HttpCalls.http1(() -> "http://127.0.0.1:" + harness.agent().port());
    Await.until("the node to register", () -> gateway.get("/v1/nodes", "X-Api-Key", CLIENT_KEY).body()
        .contains("\"test-node\""));
  }

  @AfterEach
  void stop() {
    harness.stopAgent();
    agent.close();
    gateway.close();
  }

  @Test
  void aCallWithoutTheKeyIs401OpenAiShapedAndHealthStaysOpen() throws Exception {
    for (JsonResponse refused : List.of(
        agent.post("/v1/chat/completions", CHAT),
        agent.post("/v1/chat/completions", CHAT, "Authorization", "Bearer " + CLIENT_KEY),
        agent.get("/v1/models"),
        agent.get("/v1/node/inventory", "X-Api-Key", "wrong"))) {
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.json().get("error").get("type").asText()).isEqualTo("authentication_error");
      assertThat(refused.json().get("error").get("code").asText()).isEqualTo("invalid_api_key");
    }
    assertThat(agent.get("/health").statusCode()).isEqualTo(200);
    assertThat(agent.get("/ready").statusCode()).isEqualTo(200);
    // Refused before anything was loaded: a caller without the key cannot make the node switch models.
    assertThat(harness.launches()).isEmpty();
  }

  @Test
  void eitherHeaderCarriesTheKey() {
    assertThat(agent.get("/v1/models", "Authorization", "Bearer " + AGENT_KEY).statusCode()).isEqualTo(200);
    assertThat(agent.get("/v1/models", "X-Api-Key", AGENT_KEY).statusCode()).isEqualTo(200);
  }

  @Test
  void theGatewayPresentsItsNodeUpstreamKeyInsteadOfTheClientsOwn() {
    JsonResponse answer = gateway.postChat("planner", "Authorization", "Bearer " + CLIENT_KEY);

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.json().get("model").asText()).isEqualTo("planner-gguf");
  }

  @Test
  void aClientsOwnAuthorizationNeverReachesTheNodeInPlaceOfTheGatewaysKey() {
    // A gateway with no node_upstream_key, whose client sends the agent's key itself: the gateway drops it.
    try (TestGateway keyless = new TestGateway().discovered("planner", "planner", ROUND_ROBIN).start()) {
      keyless.register(NodeRegistrations.serving("test-node", harness.agent().baseUrl().toString(), "planner-gguf",
          "planner"));

      JsonResponse answer = keyless.postChat("planner", "Authorization", "Bearer " + AGENT_KEY,
          "X-Api-Key", AGENT_KEY);

      assertThat(answer.statusCode()).isEqualTo(401);
      assertThat(answer.body()).contains("node agent API key");
    }
  }
}
