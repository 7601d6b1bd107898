package dev.rolemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.RawHttp;
import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The failure modes (by flag and by header), slow start and per-request overrides. */
class SimulatorFailureModesTest extends SimulatorTestBase {

  @Test
  void error500AnswersWithALlamaServerServerError() throws Exception {
    Simulator sim = start(SimOptions.defaults().withFail(FailureMode.ERROR500));
    RawHttp.Response response = post(sim, "/v1/chat/completions", chat(3, true));

    assertThat(response.status()).isEqualTo(500);
    assertThat(response.headerNames()).isEqualTo(Fixtures.response("error-bad-json.txt").headerNames());
    JsonShape.assertSameShape(Fixtures.response("error-bad-json.txt").json(), response.json());
    assertThat(response.json().at("/error/type").asText()).isEqualTo("server_error");
    assertThat(sim.stats().completedTotal()).isEqualTo(1);
  }

  @Test
  void theHeaderWinsOverTheFlag() throws Exception {
    Simulator sim = start(SimOptions.defaults().withFail(FailureMode.ERROR500));
    assertThat(post(sim, "/v1/chat/completions", chat(3, false), "X-Sim-Fail", "none").status()).isEqualTo(200);

    Simulator healthy = start(SimOptions.defaults());
    assertThat(post(healthy, "/v1/completions", "{\"prompt\":\"x\"}", "X-Sim-Fail", "error500").status())
        .isEqualTo(500);
  }

  @Test
  void probesNeverFail() throws Exception {
    Simulator sim = start(SimOptions.defaults().withFail(FailureMode.HANG));
    assertThat(get(sim, "/health").status()).isEqualTo(200);
    assertThat(get(sim, "/v1/models").status()).isEqualTo(200);
  }

  @Test
  void hangReadsTheRequestAndNeverAnswersUntilTheClientGivesUp() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    try (RawHttp http = new RawHttp(sim.port())) {
      http.send("POST", "/v1/chat/completions", chat(3, false), "X-Sim-Fail", "hang");
      Await.until("the request was read", () -> sim.stats().lastRequest() != null);
      assertThat(sim.stats().active()).isEqualTo(1);
      http.setReadTimeoutMs(300);
      assertThatThrownBy(http::read).isInstanceOf(SocketTimeoutException.class);
    }
    Await.until("the disconnect is counted", () -> sim.stats().cancelledTotal() == 1);
    assertThat(sim.stats().active()).isZero();
  }

  @Test
  void dieMidStreamSendsAFewChunksThenClosesWithoutDone() throws Exception {
    Simulator sim = start(SimOptions.defaults().withFail(FailureMode.DIE_MID_STREAM));
    List<String> chunks = new ArrayList<>();
    try (RawHttp http = new RawHttp(sim.port())) {
      http.send("POST", "/v1/chat/completions", chat(10, true));
      assertThat(http.readHead().status()).isEqualTo(200);
      assertThatThrownBy(() -> {
        for (String chunk = http.readChunk(); chunk != null; chunk = http.readChunk()) {
          chunks.add(chunk);
        }
      }).isInstanceOf(EOFException.class);
    }
    assertThat(chunks).hasSize(1 + Generation.DIE_AFTER_TOKENS).noneMatch(chunk -> chunk.contains("[DONE]"));
    Await.until("the exchange ended", () -> sim.stats().active() == 0);
    assertThat(sim.stats().completedTotal()).isZero();
    assertThat(sim.stats().cancelledTotal()).isZero();
    assertThat(slot(sim, 0).get("is_processing").asBoolean()).isFalse();
  }

  @Test
  void dieMidStreamCutsANonStreamingAnswerInHalf() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    try (RawHttp http = new RawHttp(sim.port())) {
      http.send("POST", "/v1/chat/completions", chat(10, false), "X-Sim-Fail", "die-mid-stream");
      RawHttp.Response head = http.readHead();
      assertThat(head.status()).isEqualTo(200);
      assertThatThrownBy(() -> http.readBody(head)).isInstanceOf(EOFException.class);
    }
  }

  @Test
  void malformedControlHeadersAreRejected() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    RawHttp.Response badMode = post(sim, "/v1/chat/completions", chat(1, false), "X-Sim-Fail", "explode");
    assertThat(badMode.status()).isEqualTo(400);
    assertThat(badMode.json().at("/error/message").asText()).contains("die-mid-stream");

    RawHttp.Response badDelay =
        post(sim, "/v1/chat/completions", chat(1, false), "X-Sim-Token-Delay-Ms", "-5");
    assertThat(badDelay.status()).isEqualTo(400);
  }

  @Test
  void slowStartReportsLoadingThenOk() throws Exception {
    Simulator sim = start(SimOptions.defaults().withLoadDelayMs(3_000));

    RawHttp.Response loading = get(sim, "/health");
    assertThat(loading.status()).isEqualTo(503);
    assertThat(loading.body())
        .isEqualTo("{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}");
    assertThat(post(sim, "/v1/chat/completions", chat(1, false)).status()).isEqualTo(503);
    assertThat(get(sim, "/v1/models").status()).isEqualTo(200);

    Await.until("the model is loaded", () -> get(sim, "/health").status() == 200);
    assertThat(post(sim, "/v1/chat/completions", chat(1, false)).status()).isEqualTo(200);
  }

  @Test
  void promptDelayHeaderHoldsBackTheHeadersToo() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    try (RawHttp http = new RawHttp(sim.port())) {
      http.send("POST", "/v1/chat/completions", chat(3, true), "X-Sim-Prompt-Delay-Ms", "600000");
      Await.until("the request holds a slot", () -> slot(sim, 0).get("is_processing").asBoolean());
      http.setReadTimeoutMs(300);
      assertThatThrownBy(http::read).isInstanceOf(SocketTimeoutException.class);
    }
    JsonNode stats = stats(sim);
    assertThat(stats.get("completed_total").asInt()).isZero();
  }
}
