package dev.rolemesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.TestGateway;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A chunked request body whose framing is broken is refused as a bad request, with one access-log line, no stack
 * trace in the JDK log (where Vert.x reports what nobody handled), and nothing reaches a backend.
 */
class MalformedChunkedBodyTest {

  private static final List<LogRecord> SEVERE = new CopyOnWriteArrayList<>();
  private static final Handler CAPTURE = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
        SEVERE.add(record);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private static TestGateway gateway;
  private static Simulator backend;

  @BeforeAll
  static void start() {
    Logger.getLogger("").addHandler(CAPTURE);
    gateway = new TestGateway();
    backend = gateway.simulator(SimOptions.defaults());
    gateway.proxy("planner", backend).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    Logger.getLogger("").removeHandler(CAPTURE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ZZZ", "-5", "fffffffffffffffffff", "7fffffffffffffff"})
  void aBadChunkSizeIs400JsonAndNothingIsForwarded(String size) throws Exception {
    long before = backend.stats().requestsTotal();
    String id = "bad-chunk-" + Math.abs(size.hashCode());
    String body = TestGateway.chat("planner", "");

    RawHttp.Response response;
    try (RawHttp http = new RawHttp(gateway.port())) {
      http.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "X-Request-Id: " + id + "\r\nTransfer-Encoding: chunked\r\n\r\n"
          + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n"
          + size + "\r\nxyz\r\n0\r\n\r\n");
      response = http.readResponse();
    }

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.header("Content-Type")).startsWith("application/json");
    assertThat(response.json().path("error").path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(response.json().path("error").path("message").asText()).containsIgnoringCase("chunk size");
    Await.until("the access-log line", () -> gateway.log().contains(id));
    List<String> lines = gateway.log().lines().filter(line -> line.contains(id)).toList();
    assertThat(lines).singleElement().asString().contains("\"status\":400");
    assertThat(SEVERE).isEmpty();
    assertThat(backend.stats().requestsTotal()).isEqualTo(before);
  }
}
