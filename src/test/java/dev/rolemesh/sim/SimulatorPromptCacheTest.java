package dev.rolemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Per-slot prompt caches as llama-server keeps them: {@code cache_n}, {@code prompt_n} and {@code cached_tokens}. */
class SimulatorPromptCacheTest extends SimulatorTestBase {

  private static final String SYSTEM = "You are a careful agent. Use the tools you are given and explain each step.";

  @Test
  void aRepeatedPromptReusesAllButItsLastTokenLikeTheCapture() throws Exception {
    Simulator sim = start(SimOptions.defaults().withAlias("stories"));
    String body = conversation("Plan the trip.");

    JsonNode first = post(sim, "/v1/chat/completions", body).json();
    JsonNode second = post(sim, "/v1/chat/completions", body).json();

    JsonShape.assertSameShape(Fixtures.response("chat-nonstream-cached-prompt.txt").json(), second);
    assertThat(first.at("/timings/cache_n").asInt()).isZero();
    int promptTokens = second.at("/usage/prompt_tokens").asInt();
    assertThat(second.at("/timings/cache_n").asInt()).isEqualTo(promptTokens - 1);
    assertThat(second.at("/timings/prompt_n").asInt()).isEqualTo(1);
    assertThat(second.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(promptTokens - 1);
  }

  @Test
  void theNextTurnOfAConversationReusesThePreviousPrompt() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    JsonNode first = post(sim, "/v1/chat/completions", conversation("Plan the trip.")).json();
    JsonNode next = post(sim, "/v1/chat/completions",
        conversation("Plan the trip.", "Day one: the river.", "And day two?")).json();

    int previous = first.at("/usage/prompt_tokens").asInt();
    int cached = next.at("/timings/cache_n").asInt();
    assertThat(cached).isBetween(previous - 1, previous);
    assertThat(next.at("/timings/prompt_n").asInt()).isEqualTo(next.at("/usage/prompt_tokens").asInt() - cached);
  }

  @Test
  void eachSlotKeepsItsOwnConversation() throws Exception {
    Simulator two = start(SimOptions.defaults().withParallel(2));
    Simulator one = start(SimOptions.defaults().withParallel(1));
    for (Simulator sim : new Simulator[] {two, one}) {
      post(sim, "/v1/chat/completions", conversation("Plan the trip."));
      post(sim, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"A poem, please.\"}]}");
    }

    JsonNode kept = post(two, "/v1/chat/completions", conversation("Plan the trip.")).json();
    JsonNode evicted = post(one, "/v1/chat/completions", conversation("Plan the trip.")).json();

    assertThat(kept.at("/timings/cache_n").asInt()).isEqualTo(kept.at("/usage/prompt_tokens").asInt() - 1);
    // only the template's opening is left in the one slot
    assertThat(evicted.at("/timings/cache_n").asInt()).isLessThan(5);
    assertThat(get(two, "/slots").json().findValues("n_prompt_tokens_cache").stream().mapToInt(JsonNode::asInt).max())
        .hasValue(kept.at("/timings/cache_n").asInt());
  }

  @Test
  void promptTimeGrowsWithTheTokensNotInTheCache() throws Exception {
    Simulator sim = start(SimOptions.defaults().withPromptMsPerToken(2));
    String body = conversation("Plan the trip.");

    JsonNode cold = post(sim, "/v1/chat/completions", body).json().get("timings");
    JsonNode warm = post(sim, "/v1/chat/completions", body).json().get("timings");

    assertThat(cold.get("prompt_ms").asDouble()).isGreaterThanOrEqualTo(2.0 * cold.get("prompt_n").asInt());
    assertThat(warm.get("prompt_n").asInt()).isEqualTo(1);
    assertThat(warm.get("prompt_ms").asDouble()).isGreaterThanOrEqualTo(2.0);
  }

  @Test
  void tokenIdPromptsShareTheirLeadingIds() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    post(sim, "/v1/completions", "{\"prompt\":[1,2,3,4,5],\"max_tokens\":2}");
    JsonNode longer = post(sim, "/v1/completions", "{\"prompt\":[1,2,3,4,5,6,7],\"max_tokens\":2}").json();

    assertThat(longer.at("/timings/cache_n").asInt()).isEqualTo(5);
    assertThat(longer.at("/timings/prompt_n").asInt()).isEqualTo(2);
  }

  private static String conversation(String... turns) {
    StringBuilder messages = new StringBuilder("{\"role\":\"system\",\"content\":\"" + SYSTEM + "\"}");
    for (int i = 0; i < turns.length; i++) {
      messages.append(",{\"role\":\"").append(i % 2 == 0 ? "user" : "assistant")
          .append("\",\"content\":\"").append(turns[i]).append("\"}");
    }
    return "{\"messages\":[" + messages + "],\"max_tokens\":8}";
  }
}
