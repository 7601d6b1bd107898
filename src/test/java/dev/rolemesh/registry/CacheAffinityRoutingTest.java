package dev.rolemesh.registry;

import static dev.rolemesh.config.ModelTarget.Strategy.CACHE_AFFINITY;
import static dev.rolemesh.testing.TestGateway.CLIENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.NodeRegistrations;
import dev.rolemesh.testing.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cache_affinity end to end: the next turn of a conversation reaches the simulator whose slot holds its prompt. */
class CacheAffinityRoutingTest {

  private TestGateway gateway;

  @BeforeEach
  void start() {
    gateway = new TestGateway().clientAndNodeKeys()
        .discovered("agent", "agent", CACHE_AFFINITY)
        .start();
    for (int i = 0; i < 3; i++) {
      Simulator sim = gateway.simulator(SimOptions.defaults());
      gateway.register(NodeRegistrations.serving("node-" + i, sim.baseUrl(), "m", "agent"));
    }
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private JsonNode chat(String alias, String... turns) {
    StringBuilder messages = new StringBuilder("{\"role\":\"system\",\"content\":\"You are agent " + turns[0] + ".\"}");
    for (int i = 0; i < turns.length; i++) {
      messages.append(",{\"role\":\"").append(i % 2 == 0 ? "user" : "assistant").append("\",\"content\":\"")
          .append(turns[i]).append("\"}");
    }
    JsonResponse response = gateway.post("/v1/chat/completions",
        "{\"model\":\"" + alias + "\",\"max_tokens\":4,\"messages\":[" + messages + "]}",
        "Authorization", "Bearer " + CLIENT_KEY);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.json();
  }

  @Test
  void eachConversationReturnsToTheNodeThatHoldsItsPrompt() {
    int firstPrompt = chat("agent", "plans").at("/usage/prompt_tokens").asInt();
    // round_robin would send the next turn to the third node
    chat("agent", "codes");

    JsonNode next = chat("agent", "plans", "Step one.", "Go on.");

    assertThat(next.at("/timings/cache_n").asInt()).isGreaterThanOrEqualTo(firstPrompt - 1);
  }
}
