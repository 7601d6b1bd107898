package dev.rolemesh.api;

import static dev.rolemesh.testing.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.HttpCalls;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.TestGateway;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Server-sent events go through as they are produced, and a client that leaves stops the backend. */
class StreamingTest {

  private static final String STREAM = "\"stream\":true,\"max_tokens\":20";
  private static TestGateway gateway;
  private static Simulator backend;

  @BeforeAll
  static void start() {
    gateway = new TestGateway();
    backend = gateway.simulator(SimOptions.defaults().withAlias("story"));
    gateway.proxy("writer", backend).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void chunksReachTheClientWhileTheBackendIsStillGenerating() throws Exception {
    try (HttpCalls client = HttpCalls.preferringHttp2(gateway::baseUrl)) {
      HttpResponse<InputStream> response = client.post("/v1/chat/completions", chat("writer", STREAM),
          HttpResponse.BodyHandlers.ofInputStream(), "X-Sim-Token-Delay-Ms", "20");
      assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
      BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
      List<String> events = new ArrayList<>();
      String first = readEvent(lines);
      boolean generatingWhenFirstArrived = backend.stats().active() == 1;
      events.add(first);
      String event;
      while ((event = readEvent(lines)) != null) {
        events.add(event);
      }

      assertThat(generatingWhenFirstArrived).isTrue();
      assertThat(first).contains("\"role\":\"assistant\"");
      assertThat(events.getLast()).isEqualTo("data: [DONE]");
      assertThat(events).hasSizeGreaterThan(20);
    }
  }

  @Test
  void aClientLeavingMidStreamCancelsTheBackendRequest() throws IOException {
    long cancelledBefore = backend.stats().cancelledTotal();
    try (RawHttp client = RawHttp.post(gateway.port(), "/v1/chat/completions", chat("writer", STREAM),
        "X-Sim-Token-Delay-Ms", "200")) {
      assertThat(client.readUntil("data: ")).isNotNull();
    }

    Await.until("backend saw the cancel", () -> backend.stats().cancelledTotal() == cancelledBefore + 1);
    Await.until("slot freed", () -> backend.stats().active() == 0);
  }

  @Test
  void aClientLeavingBeforeTheFirstTokenCancelsTheBackendRequest() throws IOException {
    long cancelledBefore = backend.stats().cancelledTotal();
    try (RawHttp client = RawHttp.post(gateway.port(), "/v1/chat/completions", chat("writer", STREAM),
        "X-Sim-Prompt-Delay-Ms", "60000")) {
      Await.until("backend is processing the prompt", () -> backend.stats().active() == 1);
    }

    Await.until("backend saw the cancel", () -> backend.stats().cancelledTotal() == cancelledBefore + 1);
    Await.until("slot freed", () -> backend.stats().active() == 0);
  }

  @Test
  void aBackendDyingMidStreamIsNotPassedOffAsACompleteAnswer() {
    try (HttpCalls client = HttpCalls.preferringHttp2(gateway::baseUrl)) {
      assertThatThrownBy(() -> client.post("/v1/chat/completions", chat("writer", STREAM),
          HttpResponse.BodyHandlers.ofString(), "X-Sim-Fail", "die-mid-stream")).isInstanceOf(IOException.class);
    }
  }

  private static String readEvent(BufferedReader lines) throws IOException {
    String line;
    while ((line = lines.readLine()) != null) {
      if (!line.isEmpty()) {
        return line;
      }
    }
    return null;
  }
}
