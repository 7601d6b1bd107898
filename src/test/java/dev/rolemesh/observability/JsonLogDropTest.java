package dev.rolemesh.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The log's drop path: while its output is stuck, a full queue drops lines (and the caller, an event loop, never
 * waits), and the next write says how many were lost before the lines that got through.
 */
class JsonLogDropTest {

  /** An output whose first write waits until the test lets it go, as a stuck terminal or pipe would. */
  private static final class StuckOutput extends OutputStream {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final ByteArrayOutputStream written = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (written) {
        written.write(bytes, offset, length);
      }
    }

    String text() {
      synchronized (written) {
        return written.toString(StandardCharsets.UTF_8);
      }
    }
  }

  @Test
  void aFullQueueDropsLinesWithoutBlockingAndTheCountIsLoggedNext() throws Exception {
    StuckOutput output = new StuckOutput();
    JsonLog log = new JsonLog(new PrintStream(output, false, StandardCharsets.UTF_8), 4, LogSettings.JSON);

    log.info("first", null);
    output.entered.await();
    // The writer holds the first line in a write that does not return; the queue takes 4 more, the rest are lost.
    for (int i = 0; i < 14; i++) {
      log.info("queued", null, "n", i);
    }
    output.release.countDown();
    log.flush();

    List<JsonNode> lines = output.text().lines().map(Json::parse).toList();
    assertThat(lines).extracting(line -> line.path("event").asText())
        .containsExactly("first", "log_lines_dropped", "queued", "queued", "queued", "queued");
    assertThat(lines.get(1).path("level").asText()).isEqualTo("warn");
    assertThat(lines.get(1).path("count").asLong()).isEqualTo(10);
    assertThat(lines.subList(2, 6)).extracting(line -> line.path("n").asInt()).containsExactly(0, 1, 2, 3);
  }
}
