package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.rolemesh.json.Json;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.RawHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Generation, streaming chunk by chunk, slots and cancellation by client disconnect. */
class SimulatorStreamingTest extends SimulatorTestBase {

  private static final String FOREVER = "600000";

  @Test
  void streamedTokensAddUpToTheStoryAndTheUsage() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    List<JsonNode> chunks = jsonEvents(post(sim, "/v1/chat/completions", chat(7, true)).body());

    StringBuilder text = new StringBuilder();
    chunks.subList(1, chunks.size() - 1).forEach(chunk -> text.append(chunk.at("/choices/0/delta/content").asText()));
    assertThat(text).hasToString(TokenSource.text(7));
    assertThat(chunks).hasSize(1 + 7 + 1);
    assertThat(chunks.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(chunks.getLast().at("/timings/predicted_n").asInt()).isEqualTo(7);
  }

  @Test
  void defaultLengthComesFromNPredictAndTheStoryEndIsAStop() throws Exception {
    Simulator sim = start(SimOptions.defaults().withNPredict(3));
    String noLimit = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assertThat(post(sim, "/v1/chat/completions", noLimit).json().at("/usage/completion_tokens").asInt()).isEqualTo(3);

    String longer = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n_predict\":100000}";
    JsonNode stopped = post(sim, "/v1/chat/completions", longer).json();
    assertThat(stopped.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(stopped.at("/usage/completion_tokens").asInt()).isEqualTo(TokenSource.storyLength());

    String ignoringEos = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":500,\"ignore_eos\":true}";
    JsonNode looped = post(sim, "/v1/chat/completions", ignoringEos).json();
    assertThat(looped.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(looped.at("/usage/completion_tokens").asInt()).isEqualTo(500);
  }

  @Test
  void textCompletionStreamsTextChunks() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    List<JsonNode> chunks = jsonEvents(post(sim, "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":3,\"stream\":true}").body());

    assertThat(chunks).hasSize(3 + 1);
    assertThat(chunks.stream().map(chunk -> chunk.at("/choices/0/text").asText()).reduce("", String::concat))
        .isEqualTo(TokenSource.text(3));
    assertThat(chunks.getLast().at("/usage/completion_tokens").asInt()).isEqualTo(3);
    assertThat(chunks.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("length");
  }

  @Test
  void firstChunkArrivesWhileGenerationIsStillRunningAndHangingUpCancelsIt() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    try (RawHttp http = new RawHttp(sim.port())) {
      http.send("POST", "/v1/chat/completions", chat(5, true), "X-Sim-Token-Delay-Ms", FOREVER);
      assertThat(http.readHead().status()).isEqualTo(200);
      assertThat(http.readChunk()).contains("\"role\":\"assistant\"");
      assertThat(http.readChunk()).contains("\"content\":\"Once\"");

      JsonNode during = stats(sim);
      assertThat(during.get("active").asInt()).isEqualTo(1);
      assertThat(during.get("completed_total").asInt()).isZero();
      assertThat(slot(sim, 0).get("is_processing").asBoolean()).isTrue();
    }
    Await.until("the disconnect is counted", () -> sim.stats().cancelledTotal() == 1);
    assertCancelledAndIdle(sim);
  }

  @Test
  void hangingUpBeforeTheFirstTokenCancels() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    try (RawHttp http = new RawHttp(sim.port())) {
      http.send("POST", "/v1/chat/completions", chat(5, true), "X-Sim-Prompt-Delay-Ms", FOREVER);
      Await.until("the request holds a slot", () -> slot(sim, 0).get("is_processing").asBoolean());
    }
    Await.until("the disconnect is counted", () -> sim.stats().cancelledTotal() == 1);
    assertCancelledAndIdle(sim);
  }

  @Test
  void requestsBeyondTheSlotsWaitAndAWaitingRequestCanBeCancelled() throws Exception {
    Simulator sim = start(SimOptions.defaults().withParallel(1).withMetricsEndpoint(true));
    try (RawHttp holder = new RawHttp(sim.port()); RawHttp waiter = new RawHttp(sim.port());
        RawHttp quitter = new RawHttp(sim.port())) {
      holder.send("POST", "/v1/chat/completions", chat(2, false), "X-Sim-Prompt-Delay-Ms", FOREVER);
      Await.until("the first request holds the slot", () -> slot(sim, 0).get("is_processing").asBoolean());
      waiter.send("POST", "/v1/chat/completions", chat(2, false));
      quitter.send("POST", "/v1/chat/completions", chat(2, false));
      Await.until("two requests wait", () -> get(sim, "/metrics").body().contains("llamacpp:requests_deferred 2\n"));

      quitter.close();
      Await.until("the quitter is cancelled", () -> sim.stats().cancelledTotal() == 1);
      assertThat(get(sim, "/metrics").body()).contains("llamacpp:requests_deferred 1\n");

      holder.close();
      RawHttp.Response answer = waiter.readResponse();
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.json().at("/choices/0/message/content").asText()).isEqualTo(TokenSource.text(2));
    }
    Await.until("both disconnects are counted", () -> sim.stats().cancelledTotal() == 2);
    assertThat(sim.stats().completedTotal()).isEqualTo(1);
  }

  @Test
  void aClientThatDoesNotReadPausesGenerationAndGetsEveryTokenOnceItReads() throws Exception {
    int tokens = 50_000; // about 12 MB of chunks: far more than the socket buffers hold
    Simulator sim = start(SimOptions.defaults().withCtxSize(2 * tokens));
    String body = "{\"prompt\":\"x\",\"max_tokens\":" + tokens + ",\"ignore_eos\":true,\"stream\":true}";
    try (RawHttp http = new RawHttp(sim.port(), 16 * 1024)) {
      http.send("POST", "/v1/completions", body);
      int[] decoded = {-1};
      Await.until("generation stalls while nothing is read", () -> {
        int before = decoded[0];
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        decoded[0] = slot(sim, 0).at("/next_token/0/n_decoded").asInt();
        return decoded[0] > 0 && decoded[0] == before;
      });
      assertThat(decoded[0]).isLessThan(tokens);
      assertThat(slot(sim, 0).get("is_processing").asBoolean()).isTrue();

      http.readHead();
      for (int index = 0; index < tokens; index++) {
        String expected = "\"text\":" + Json.write(TextNode.valueOf(TokenSource.token(index))) + ",";
        String chunk = http.readChunk();
        if (!chunk.contains(expected)) {
          fail("chunk %d is %s, expected it to contain %s", index, chunk, expected);
        }
      }
      assertThat(http.readChunk()).contains("\"completion_tokens\":" + tokens);
      assertThat(http.readChunk()).isEqualTo("data: [DONE]\n\n");
      assertThat(http.readChunk()).isNull();
    }
  }

  @Test
  void stampMarksEveryChunkWithANonDecreasingSendTime() throws Exception {
    Simulator sim = start(SimOptions.defaults().withStamp(true));
    long before = System.currentTimeMillis() * 1000;
    List<JsonNode> chunks = jsonEvents(post(sim, "/v1/chat/completions", chat(5, true)).body());

    List<Long> stamps = chunks.stream().map(chunk -> chunk.get("sim_sent_us").asLong()).toList();
    assertThat(stamps).hasSize(chunks.size()).isSorted();
    assertThat(stamps.getFirst()).isGreaterThanOrEqualTo(before - 1_000_000);
  }

  @Test
  void withoutStampChunksCarryNoSimulatorField() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    assertThat(post(sim, "/v1/chat/completions", chat(2, true)).body()).doesNotContain("sim_sent_us");
  }

  @Test
  void promptOverTheContextIsRejectedLikeLlamaServer() throws Exception {
    Simulator sim = start(SimOptions.defaults().withCtxSize(16));
    String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "word ".repeat(40) + "\"}]}";
    RawHttp.Response response = post(sim, "/v1/chat/completions", body);

    assertThat(response.status()).isEqualTo(400);
    JsonNode error = response.json().get("error");
    assertThat(error.get("type").asText()).isEqualTo("exceed_context_size_error");
    assertThat(error.get("n_ctx").asInt()).isEqualTo(16);
    assertThat(error.get("n_prompt_tokens").asInt()).isGreaterThanOrEqualTo(16);
  }

  @Test
  void generationStopsWhenTheContextIsFull() throws Exception {
    Simulator sim = start(SimOptions.defaults().withCtxSize(20));
    JsonNode answer = post(sim, "/v1/completions", "{\"prompt\":\"abcd\",\"max_tokens\":100}").json();

    assertThat(answer.at("/usage/prompt_tokens").asInt()).isEqualTo(1);
    assertThat(answer.at("/usage/completion_tokens").asInt()).isEqualTo(19);
    assertThat(answer.at("/choices/0/finish_reason").asText()).isEqualTo("length");
  }

  private static void assertCancelledAndIdle(Simulator sim) {
    Await.until("the request is no longer active", () -> sim.stats().active() == 0);
    JsonNode after = stats(sim);
    assertThat(after.get("cancelled_total").asInt()).isEqualTo(1);
    assertThat(after.get("completed_total").asInt()).isZero();
    assertThat(after.get("last_cancel_epoch_ms").asLong()).isPositive();
    assertThat(slot(sim, 0).get("is_processing").asBoolean()).isFalse();
  }

  private static List<JsonNode> jsonEvents(String sseBody) {
    List<JsonNode> chunks = new ArrayList<>();
    for (String event : Fixtures.sseEvents(sseBody)) {
      if (!event.equals("[DONE]")) {
        chunks.add(Fixtures.parse(event));
      }
    }
    return chunks;
  }
}
