package dev.rolemesh.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentLoadTest {

  @Test
  void laterTurnsFindTheirConversationInTheSlot() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Simulator sim = Await.result(Simulator.start(vertx, SimOptions.defaults().withPort(0).withCtxSize(16384)));
      ObjectNode result = new AgentLoad(new AgentLoad.Settings(
          List.of(sim.baseUrl() + "/v1/chat/completions"), "agent", 2, 3, 2, 800, 200, 4, 30_000)).run();

      assertThat(result.get("failed").asInt()).isZero();
      assertThat(result.get("requests").asInt()).isEqualTo(6);
      // turns 2 and 3 of each session reuse everything but their new step
      assertThat(result.get("reuse").asDouble()).isGreaterThan(0.5);
      assertThat(result.get("ttft_p50_ms").asDouble()).isPositive();
    } finally {
      Await.result(vertx.close());
    }
  }
}
