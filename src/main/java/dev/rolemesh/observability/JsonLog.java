package dev.rolemesh.observability;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One JSON object per line on stdout, formatted and written by a background thread so that an event loop never
 * waits on a slow terminal or pipe and never pays for JSON. When the queue is full, lines are dropped and counted
 * rather than blocking the data path; a warning with the count follows as soon as a line gets through.
 *
 * <p>Under load the writer polls: it wakes every few milliseconds and writes everything queued with one system call.
 * Waking it per line (a blocking take) cost the event loop a futex call and a context switch per request. After a
 * quiet spell it blocks again, so an idle gateway does not spin.
 */
public final class JsonLog {

  private static final ObjectMapper JSON = Json.MAPPER;
  private static final JsonLog STDOUT = new JsonLog(System.out, 65_536);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final int POLLS_BEFORE_BLOCKING = 100;
  private static final int BATCH = 4096;

  /** One log line: writes its fields into the object the writer has opened. Runs on the log thread. */
  @FunctionalInterface
  public interface Line {
    void writeFields(JsonGenerator gen) throws IOException;
  }

  private final BlockingQueue<Line> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong pending = new AtomicLong();
  private final PrintStream out;

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

  /** Queues a line that writes its own fields (the access log's, which avoid building a map per request). */
  public void record(Line line) {
    pending.incrementAndGet();
    if (!queue.offer(line)) {
      pending.decrementAndGet();
      dropped.incrementAndGet();
    }
  }

  private void log(String level, String event, String msg, Object... keyValues) {
    Instant at = Instant.now();
    record(gen -> {
      writeHeader(gen, at, level, event);
      if (msg != null) {
        gen.writeStringField("msg", msg);
      }
      for (int i = 0; i + 1 < keyValues.length; i += 2) {
        gen.writeFieldName(String.valueOf(keyValues[i]));
        gen.writeObject(keyValues[i + 1]);
      }
    });
  }

  /** The fields every line starts with, in this order. */
  public static void writeHeader(JsonGenerator gen, Instant at, String level, String event) throws IOException {
    gen.writeStringField("ts", at.toString());
    gen.writeStringField("level", level);
    gen.writeStringField("event", event);
  }

  /** Blocks until everything queued so far is written: for shutdown and for tests that read the log. */
  public void flush() {
    while (pending.get() > 0) {
      LockSupport.parkNanos(100_000);
    }
  }

  private void drain() {
    List<Line> batch = new ArrayList<>(BATCH);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
    ByteArrayOutputStream scratch = new ByteArrayOutputStream(1024);
    int quietPolls = 0;
    while (true) {
      try {
        if (queue.drainTo(batch, BATCH) == 0) {
          if (++quietPolls < POLLS_BEFORE_BLOCKING) {
            LockSupport.parkNanos(POLL_NANOS);
            continue;
          }
          batch.add(queue.take());
        }
        quietPolls = 0;
        bytes.reset();
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
          Instant at = Instant.now();
          format(bytes, scratch, gen -> {
            writeHeader(gen, at, "warn", "log_lines_dropped");
            gen.writeStringField("msg", "the log queue was full; lines were dropped");
            gen.writeNumberField("count", lost);
          });
        }
        for (Line line : batch) {
          format(bytes, scratch, line);
        }
        bytes.writeTo(out);
        out.flush();
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        // A batch that cannot be written must not kill the writer thread; the next one may succeed.
      } finally {
        pending.addAndGet(-batch.size());
        batch.clear();
      }
    }
  }

  /** Appends one line; a line whose fields fail to serialise is skipped, not allowed to break the batch. */
  private static void format(ByteArrayOutputStream batch, ByteArrayOutputStream scratch, Line line) {
    scratch.reset();
    try (JsonGenerator gen = JSON.createGenerator(scratch)) {
      gen.writeStartObject();
      line.writeFields(gen);
      gen.writeEndObject();
      gen.flush();
      scratch.write('\n');
      scratch.writeTo(batch);
    } catch (IOException | RuntimeException e) {
      // skipped: the batch keeps only whole lines
    }
  }
}
