package dev.rolemesh.registry;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.Blackhole;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.NodeRegistrations;
import dev.rolemesh.testing.TestGateway;
import org.junit.jupiter.api.Test;

/** Nodes that fail in ways other than refusing connections, and what the gateway makes of them. */
class MisbehavingNodeTest {

  @Test
  void aNodeThatNeverAcceptsIsFailedOverAndCooledDown() throws Exception {
    try (Blackhole blackhole = Blackhole.open(); TestGateway gateway = new TestGateway()) {
      Simulator healthy = gateway.simulator(SimOptions.defaults().withAlias("healthy"));
      gateway.discovered("reviewer", "reviewer", ROUND_ROBIN).start();
      gateway.register(NodeRegistrations.legacy("dark", blackhole.url(), "reviewer"));
      gateway.register(NodeRegistrations.legacy("ok", healthy.baseUrl(), "reviewer"));

      for (int i = 0; i < 4; i++) {
        JsonResponse response = gateway.postChat("reviewer");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      }

      JsonResponse nodes = gateway.get("/v1/nodes");
      assertThat(nodes.json().path("data").findValuesAsText("node_id")).contains("dark");
      nodes.json().path("data").forEach(node -> {
        if (node.path("node_id").asText().equals("dark")) {
          assertThat(node.path("cooldown_s").asDouble()).isPositive();
        }
      });
    }
  }

  private static long chatLines(TestGateway gateway) {
    return gateway.log().lines().filter(line -> line.contains("\"path\":\"/v1/chat/completions\"")).count();
  }

  @Test
  void aNodeRegisteredAtTheGatewaysOwnAddressIsALoopNotAnEndlessRequest() throws Exception {
    try (TestGateway gateway = new TestGateway()) {
      gateway.discovered("reviewer", "reviewer", ROUND_ROBIN).start();
      gateway.register(NodeRegistrations.legacy("self", gateway.baseUrl(), "reviewer"));

      JsonResponse response = gateway.postChat("reviewer");

      assertThat(response.statusCode()).isEqualTo(508);
      assertThat(response.json().path("error").path("code").asText()).isEqualTo("loop_detected");
      // The outer line is written once its exchange has reported, which may be just after the client's answer.
      Await.until("both hops logged", () -> chatLines(gateway) >= 2);
      assertThat(chatLines(gateway)).isEqualTo(2);
    }
  }

  @Test
  void theLoopIsFoundBeforeTheKeyCheckWhichTheInnerHopWouldFail() throws Exception {
    try (TestGateway gateway = new TestGateway()) {
      gateway.clientAndNodeKeys().discovered("reviewer", "reviewer", ROUND_ROBIN).start();
      gateway.register(NodeRegistrations.legacy("self", gateway.baseUrl(), "reviewer"));

      // Client keys are never forwarded, so the inner hop arrives without one.
      JsonResponse response = gateway.postChat("reviewer", "Authorization", "Bearer " + TestGateway.CLIENT_KEY);

      assertThat(response.statusCode()).as(response.body()).isEqualTo(508);
      assertThat(response.json().path("error").path("code").asText()).isEqualTo("loop_detected");
    }
  }
}
