package dev.rolemesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.Timeouts;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.RawUpstream;
import dev.rolemesh.testing.TestGateway;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A client that reads a stream slower than the backend writes it holds the backend back: the gateway stops reading
 * from the backend while the client's socket is full, instead of queueing the stream in its own memory; and whatever
 * the backend sent before it closed reaches the client whole.
 */
class BackpressureTest {

  private static final int CHUNK = 64 * 1024;
  private static final String DATA = "x".repeat(CHUNK);
  /** No limit these tests could meet: only backpressure decides how far the backend gets. */
  private static final Timeouts PATIENT =
      new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(300), null, Duration.ofSeconds(300));

  @Test
  void aClientThatStopsReadingStopsTheBackendAndLaterGetsEveryByte() throws Exception {
    long total = (long) CHUNK * 1024;
    try (Backend backend = new Backend(1024, false); TestGateway gateway = new TestGateway()) {
      gateway.proxy("writer", backend.upstream.url(), Map.of(), PATIENT).start();

      try (RawHttp client = new RawHttp(gateway.port(), 16 * 1024)) {
        client.send("POST", "/v1/chat/completions", TestGateway.chat("writer", "\"stream\":true"));
        backend.awaitHeldBackOrDone(total);
        assertThat(backend.written.get()).as("bytes the backend could write while the client read nothing")
            .isLessThan(total / 4);

        assertThat(client.readHead().status()).isEqualTo(200);
        assertThat(readAll(client)).isEqualTo(total);
      }
    }
  }

  /**
   * The backend closes its connection right after its last byte (as an HTTP/1.0 backend, a {@code Connection: close}
   * or a keep-alive limit does) while the client is megabytes behind: the client must still get every byte and the
   * stream's end, not a connection cut after the part already sent. Before the fix the gateway, its reading from the
   * backend paused, still took in the close with the bytes before it (native epoll reads a closed socket to its end),
   * and Vert.x reported the close and dropped the bytes it had queued: the client's stream was cut.
   */
  @Test
  void aBackendThatClosesWhileTheClientIsBehindStillDeliversTheWholeStream() throws Exception {
    // More than the client's side holds, and as a rule less than the backend's side does (the kernel sizes both):
    // the backend then closes while the gateway is behind. If it is held back instead, the test still holds.
    long total = (long) CHUNK * 64;
    try (Backend backend = new Backend(64, true); TestGateway gateway = new TestGateway()) {
      gateway.proxy("writer", backend.upstream.url(), Map.of(), PATIENT).start();

      try (RawHttp client = new RawHttp(gateway.port(), 16 * 1024)) {
        client.send("POST", "/v1/chat/completions", TestGateway.chat("writer", "\"stream\":true"));
        backend.awaitHeldBackOrDone(total);

        assertThat(client.readHead().status()).isEqualTo(200);
        assertThat(readAll(client)).isEqualTo(total);
      }
      Await.until("the access line", () -> gateway.log().contains("\"status\":200"));
      assertThat(gateway.log()).doesNotContain("\"error\"");
    }
  }

  /** The body's bytes up to its terminating chunk; EOFException when the connection ends before it. */
  private static long readAll(RawHttp client) throws IOException {
    long received = 0;
    for (String chunk = client.readChunk(); chunk != null; chunk = client.readChunk()) {
      received += chunk.length();
    }
    return received;
  }

  /** A backend streaming {@code chunks} chunks of {@link #CHUNK} bytes as fast as it is let. */
  private static final class Backend implements AutoCloseable {
    final AtomicLong written = new AtomicLong();
    final AtomicReference<Thread> writer = new AtomicReference<>();
    final RawUpstream upstream;

    /** @param close whether to close the connection (a FIN) right after the response */
    Backend(int chunks, boolean close) {
      upstream = RawUpstream.start(exchange -> {
        exchange.readBody();
        writer.set(Thread.currentThread());
        exchange.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < chunks; i++) {
          exchange.write(Integer.toHexString(CHUNK) + "\r\n" + DATA + "\r\n");
          written.addAndGet(CHUNK);
        }
        exchange.write("0\r\n\r\n");
        if (close) {
          exchange.endOutput();
          exchange.awaitGatewayClose();
        }
      });
    }

    /** Until the writing thread (virtual) parks in a write that cannot proceed and stays there, or wrote all. */
    void awaitHeldBackOrDone(long total) {
      long[] seen = {-1};
      Await.until("the backend to be held back or done", () -> {
        Thread thread = writer.get();
        long now = written.get();
        boolean stuck = thread != null && thread.getState() == Thread.State.WAITING && now == seen[0];
        seen[0] = now;
        return stuck || now == total;
      });
    }

    @Override
    public void close() throws IOException {
      upstream.close();
    }
  }
}
