package dev.rolemesh.api;

import static dev.rolemesh.testing.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.Blackhole;
import dev.rolemesh.testing.FreePorts;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Upstream trouble becomes a clear, prompt OpenAI-style error; the gateway never hangs. */
class UpstreamFailureTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestGateway gateway;
  private static Simulator backend;
  private static Blackhole blackhole;

  @BeforeAll
  static void start() throws Exception {
    gateway = new TestGateway();
    backend = gateway.simulator(SimOptions.defaults());
    // Each timing-sensitive case has its own role, so no test that expects an answer shares a short limit (on a
    // busy machine 0.3 s for a response head is not always enough).
    Timeouts hangUp = new Timeouts(Duration.ofSeconds(2), Duration.ofMillis(300), null);
    // Long enough for the stream's head on a loaded machine; the silence after it is a minute.
    Timeouts silentStream = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), null);
    Timeouts shortTotal = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMillis(400));
    blackhole = Blackhole.open();
    Timeouts shortConnect = new Timeouts(Duration.ofMillis(300), Duration.ofSeconds(30), null);
    gateway.proxy("down", "http://127.0.0.1:" + FreePorts.loopback(), Map.of(), TestGateway.FAST)
        .proxy("blackholed", blackhole.url(), Map.of(), shortConnect)
        .proxy("impatient", backend.baseUrl(), Map.of(), hangUp)
        .proxy("silent-stream", backend.baseUrl(), Map.of(), silentStream)
        .proxy("capped", backend.baseUrl(), Map.of(), shortTotal)
        .proxy("healthy", backend)
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    blackhole.close();
  }

  private static JsonNode error(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body()).path("error");
  }

  @Test
  void aRefusedConnectionIsA502NamingTheBackend() throws Exception {
    HttpResponse<String> response = gateway.postChat("down");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(error(response).path("message").asText()).contains("'down'").contains("connection refused");
    assertThat(error(response).path("type").asText()).isEqualTo("upstream_error");
  }

  @Test
  void aBackendThatNeverAcceptsIsA504AfterConnectTimeout() throws Exception {
    HttpResponse<String> response = gateway.postChat("blackholed");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(error(response).path("message").asText()).contains("no connection within connect_s=0.3s");
  }

  @Test
  void aHangingUpstreamIsA504AfterReadTimeoutAndTheBackendIsReleased() throws Exception {
    HttpResponse<String> response = gateway.postChat("impatient", "X-Sim-Fail", "hang");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(error(response).path("message").asText()).contains("read_s=0.3s");
    Await.until("hanging request released", () -> backend.stats().active() == 0);
  }

  @Test
  void silenceBetweenChunksBeyondReadTimeoutCutsTheStreamAndReleasesTheBackend() throws Exception {
    long cancelledBefore = backend.stats().cancelledTotal();
    try (RawHttp client = RawHttp.post(gateway.port(), "/v1/chat/completions",
        chat("silent-stream", "\"stream\":true,\"max_tokens\":5"), "X-Sim-Token-Delay-Ms", "60000")) {
      assertThat(client.readLine()).isEqualTo("HTTP/1.1 200 OK");
      assertThat(client.readUntil("data: [DONE]")).isNull();
    }

    Await.until("backend released", () -> backend.stats().cancelledTotal() == cancelledBefore + 1);
  }

  @Test
  void theTotalCapEndsALongExchange() {
    HttpResponse<String> response = gateway.postChat("capped", "X-Sim-Prompt-Delay-Ms", "60000");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).contains("total_s=0.4s");
  }

  @Test
  void upstreamErrorBodiesPassThroughUnchanged() throws Exception {
    HttpResponse<String> response = gateway.postChat("healthy", "X-Sim-Fail", "error500");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(error(response).path("type").asText()).isEqualTo("server_error");
  }

  @Test
  void upstreamValidationErrorsPassThrough() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions",
        "{\"model\":\"healthy\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "word ".repeat(20_000)
            + "\"}]}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(error(response).path("type").asText()).isEqualTo("exceed_context_size_error");
  }
}
