package dev.rolemesh.api;

import static dev.rolemesh.testing.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.ClientTimeouts;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.ScrapedMetrics;
import dev.rolemesh.testing.TestGateway;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Connections that make the gateway wait on the client are closed: a head that never completes (slowloris), a
 * kept-alive connection with nothing to ask, a body that trickles in. Each case has its own short limit and the
 * others long; the tests wait for the socket to close, never for a time.
 */
class ClientTimeoutsTest {

  private static final Duration LONG = Duration.ofMinutes(5);
  private static final Duration SHORT = Duration.ofMillis(300);
  /** Only a failing (pre-fix) run ever waits this long: the socket would otherwise stay open forever. */
  private static final int NEVER_MS = 60_000;

  private static TestGateway gateway(ClientTimeouts limits) {
    TestGateway gateway = new TestGateway();
    Simulator sim = gateway.simulator(SimOptions.defaults());
    return gateway.proxy("sim", sim).clientTimeouts(limits).start();
  }

  /** -1 once the gateway closed the connection (a reset counts as closed too). */
  private static int readAfterClose(RawHttp client) throws IOException {
    client.setReadTimeoutMs(NEVER_MS);
    try {
      return client.read();
    } catch (java.net.SocketException reset) {
      return -1;
    }
  }

  @Test
  void aHeadThatNeverCompletesIsCutAfterHeaderS() throws Exception {
    try (TestGateway gateway = gateway(new ClientTimeouts(SHORT, LONG, 1, LONG));
        RawHttp slowloris = new RawHttp(gateway.port())) {
      slowloris.sendRaw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a");

      assertThat(readAfterClose(slowloris)).isEqualTo(-1);
      // No request, so no access line (a line per cut would let slowloris flood the log): a count instead.
      assertThat(accessLines(gateway)).isEmpty();
      assertThat(cuts(gateway, "header_s")).isEqualTo(1);
    }
  }

  @Test
  void aKeptAliveConnectionWithNoRequestIsClosedAfterIdleS() throws Exception {
    try (TestGateway gateway = gateway(new ClientTimeouts(LONG, SHORT, 1, LONG));
        RawHttp client = new RawHttp(gateway.port())) {
      client.send("GET", "/health", null);
      assertThat(client.readResponse().status()).isEqualTo(200);

      assertThat(readAfterClose(client)).isEqualTo(-1);
      assertThat(cuts(gateway, "idle_s")).isEqualTo(1);
      assertThat(cuts(gateway, "header_s")).isZero();
    }
  }

  @Test
  void aRequestWaitingOnItsBackendIsNeverCutByIdleOrHeaderLimits() throws Exception {
    try (TestGateway gateway = gateway(new ClientTimeouts(SHORT, SHORT, 1, LONG));
        RawHttp client = new RawHttp(gateway.port())) {
      // A long prompt: seconds before the first byte, many times both limits.
      client.send("POST", "/v1/chat/completions", chat("sim", ""), "X-Sim-Prompt-Delay-Ms", "3000");

      RawHttp.Response response = client.readResponse();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.json().path("object").asText()).isEqualTo("chat.completion");
    }
  }

  @Test
  void aBodyTricklingInSlowerThanBodyMinBytesIsAnswered408AndClosed() throws Exception {
    try (TestGateway gateway = gateway(new ClientTimeouts(LONG, LONG, 1024, SHORT));
        RawHttp client = new RawHttp(gateway.port())) {
      client.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100000\r\n\r\n{\"model\":");

      client.setReadTimeoutMs(NEVER_MS);
      RawHttp.Response response = client.readResponse();
      assertThat(response.status()).isEqualTo(408);
      assertThat(response.json().path("error").path("code").asText()).isEqualTo("request_timeout");
      assertThat(readAfterClose(client)).isEqualTo(-1);
      Await.until("logged", () -> gateway.log().contains("\"status\":408"));
      assertThat(accessLines(gateway)).singleElement().asString().contains("\"status\":408")
          .contains("\"path\":\"/v1/chat/completions\"");
      assertThat(cuts(gateway, "body_min_bytes_s")).isEqualTo(1);
    }
  }

  private static List<String> accessLines(TestGateway gateway) {
    return gateway.log().lines().filter(line -> line.contains("\"event\":\"request\"")).toList();
  }

  /** rolemesh_connections_cut_total for one limit, from /metrics (whose own request is no cut). */
  private static double cuts(TestGateway gateway, String reason) {
    return ScrapedMetrics.parse(gateway.get("/metrics").body())
        .value("rolemesh_connections_cut_total", "reason", reason);
  }
}
