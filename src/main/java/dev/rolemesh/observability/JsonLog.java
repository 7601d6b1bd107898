package dev.rolemesh.observability;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One JSON object per line on stdout, written by a background thread so that an event loop never waits on a slow
 * terminal or pipe. When the queue is full, lines are dropped and counted rather than blocking the data path; the
 * count is reported with the next line that gets through.
 */
public final class JsonLog {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonLog STDOUT = new JsonLog(System.out, 65_536);

  private final BlockingQueue<Map<String, Object>> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong pending = new AtomicLong();
  private final OutputStream out;

  JsonLog(PrintStream out, int capacity) {
    this.out = out;
    this.queue = new ArrayBlockingQueue<>(capacity);
    Thread writer = Thread.ofPlatform().daemon().name("rolemesh-log").unstarted(this::drain);
    writer.start();
  }

  public static JsonLog stdout() {
    return STDOUT;
  }

  /** A log of its own onto another stream, e.g. for a test that reads what was logged. */
  public static JsonLog to(PrintStream out) {
    return new JsonLog(out, 65_536);
  }

  public void info(String event, String msg, Object... keyValues) {
    log("info", event, msg, keyValues);
  }

  public void warn(String event, String msg, Object... keyValues) {
    log("warn", event, msg, keyValues);
  }

  public void error(String event, String msg, Object... keyValues) {
    log("error", event, msg, keyValues);
  }

  /** Logs a ready-made record (the access log builds its own map to avoid varargs boxing on the hot path). */
  public void record(Map<String, Object> fields) {
    pending.incrementAndGet();
    if (!queue.offer(fields)) {
      pending.decrementAndGet();
      dropped.incrementAndGet();
    }
  }

  private void log(String level, String event, String msg, Object... keyValues) {
    Map<String, Object> fields = new java.util.LinkedHashMap<>();
    fields.put("ts", Instant.now().toString());
    fields.put("level", level);
    fields.put("event", event);
    if (msg != null) {
      fields.put("msg", msg);
    }
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      fields.put(String.valueOf(keyValues[i]), keyValues[i + 1]);
    }
    record(fields);
  }

  /** Blocks until everything queued so far is written: for shutdown and for tests that read the log. */
  public void flush() {
    while (pending.get() > 0) {
      LockSupport.parkNanos(100_000);
    }
  }

  private void drain() {
    ByteArrayOutputStream line = new ByteArrayOutputStream(512);
    while (true) {
      try {
        Map<String, Object> fields = queue.take();
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
          fields.put("log_lines_dropped", lost);
        }
        line.reset();
        try (JsonGenerator gen = JSON.createGenerator(line)) {
          JSON.writeValue(gen, fields);
        }
        line.write('\n');
        synchronized (out) {
          line.writeTo(out);
          if (queue.isEmpty()) {
            out.flush();
          }
        }
        pending.decrementAndGet();
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        // A log line that cannot be written must not kill the writer thread; the next one may succeed.
        pending.decrementAndGet();
      }
    }
  }
}
