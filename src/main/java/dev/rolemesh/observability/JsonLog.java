package dev.rolemesh.observability;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
 * rather than blocking the data path; a warning with the count follows as soon as a line gets through. In the text
 * format ({@link LogSettings}) the log thread turns each JSON line into a short line for a person; the event loop's
 * part is the same in both formats. Lines below the settings' level are not even queued.
 *
 * <p>Under load the writer polls: it wakes every few milliseconds and writes everything queued with one system call.
 * Waking it per line (a blocking take) cost the event loop a futex call and a context switch per request. After a
 * quiet spell it blocks again, so an idle gateway does not spin.
 */
public final class JsonLog {

  private static final ObjectMapper JSON = Json.MAPPER;
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
  private final LogSettings settings;

  JsonLog(PrintStream out, int capacity, LogSettings settings) {
    this.out = out;
    this.settings = settings;
    this.queue = new ArrayBlockingQueue<>(capacity);
    Thread writer = Thread.ofPlatform().daemon().name("rolemesh-log").unstarted(this::drain);
    writer.start();
  }

  /** Stdout in JSON, everything from info up: for code with no command line of its own, such as tests. */
  public static JsonLog stdout() {
    return StdoutJson.LOG;
  }

  /** Stdout as a command's options and environment ask ({@link LogSettings#resolve}); one per process. */
  public static JsonLog stdout(LogSettings settings) {
    return new JsonLog(System.out, 65_536, settings);
  }

  /** A log of its own onto another stream, e.g. for a test that reads what was logged. */
  public static JsonLog to(PrintStream out) {
    return to(out, LogSettings.JSON);
  }

  public static JsonLog to(PrintStream out, LogSettings settings) {
    return new JsonLog(out, 65_536, settings);
  }

  /** Whether lines of {@code level} are written; a caller with a costly line can skip building it. */
  public boolean writes(LogSettings.Level level) {
    return settings.writes(level);
  }

  public void info(String event, String msg, Object... keyValues) {
    log(LogSettings.Level.INFO, event, msg, keyValues);
  }

  public void warn(String event, String msg, Object... keyValues) {
    log(LogSettings.Level.WARN, event, msg, keyValues);
  }

  public void error(String event, String msg, Object... keyValues) {
    log(LogSettings.Level.ERROR, event, msg, keyValues);
  }

  /** Queues a line that writes its own fields (the access log's, which avoid building a map per request). */
  public void record(Line line) {
    pending.incrementAndGet();
    if (!queue.offer(line)) {
      pending.decrementAndGet();
      dropped.incrementAndGet();
    }
  }

  private void log(LogSettings.Level level, String event, String msg, Object... keyValues) {
    if (!settings.writes(level)) {
      return;
    }
    Instant at = Instant.now();
    record(gen -> {
      writeHeader(gen, at, level.jsonName(), event);
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
            gen.writeStringField("msg", "the log queue was full; " + lost + " lines were dropped");
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

  /**
   * Appends one line; a line whose fields fail to serialise is skipped, not allowed to break the batch. A text line
   * is the JSON line read back and rendered: slower, but a terminal is read by a person, not fed 50,000 lines a second.
   */
  private void format(ByteArrayOutputStream batch, ByteArrayOutputStream scratch, Line line) {
    scratch.reset();
    try (JsonGenerator gen = JSON.createGenerator(scratch)) {
      gen.writeStartObject();
      line.writeFields(gen);
      gen.writeEndObject();
      gen.flush();
      if (settings.format() == LogSettings.Format.TEXT) {
        String text = TextLine.render(JSON.readTree(scratch.toByteArray()), settings.colour());
        batch.write((text + "\n").getBytes(StandardCharsets.UTF_8));
        return;
      }
      scratch.write('\n');
      scratch.writeTo(batch);
    } catch (IOException | RuntimeException e) {
      // skipped: the batch keeps only whole lines
    }
  }

  /** Created on first use, so a process that logs through {@link #stdout(LogSettings)} has one writer thread. */
  private static final class StdoutJson {
    static final JsonLog LOG = new JsonLog(System.out, 65_536, LogSettings.JSON);
  }
}
