package dev.rolemesh.nodeagent;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One llama-server OS process, always bound to 127.0.0.1 on a port the agent picked: only the agent may reach it.
 * {@link ServerLauncher} starts it; its output is read off the event loop and its exit reported on the agent's
 * context.
 */
final class ServerProcess {

  static final String LOOPBACK = "127.0.0.1";

  /** Lines of output kept for crash and failure reports; llama-server puts the reason near the end. */
  private static final int TAIL_LINES = 20;
  private static final int MAX_LINE_CHARS = 400;

  /**
   * After the process exits, how long its output may still be read before the exit is reported: long enough for
   * the last lines (usually the reason it died) to reach the tail, bounded because a child it left behind may hold
   * the pipe open.
   */
  private static final long OUTPUT_DRAIN_MS = 1000;

  private final Process process;
  private final int port;
  private final Context context;
  private final long startedNanos = System.nanoTime();
  private final Deque<String> tail = new ArrayDeque<>(TAIL_LINES);
  private final CompletableFuture<Void> outputClosed = new CompletableFuture<>();
  private final Future<Integer> exited;
  private volatile boolean stopRequested;

  /** Watches a started llama-server; {@code context} is where {@link #exited()} completes: the agent's event loop. */
  ServerProcess(Process process, int port, Context context) {
    this.process = process;
    this.port = port;
    this.context = context;
    Thread.ofVirtual().name("llama-server-output-" + process.pid()).start(this::readOutput);
    CompletableFuture<Integer> exitCode = process.onExit().thenCompose(done -> outputClosed
        .completeOnTimeout(null, OUTPUT_DRAIN_MS, TimeUnit.MILLISECONDS)
        .thenApply(v -> process.exitValue()));
    this.exited = Future.fromCompletionStage(exitCode, context);
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  Duration uptime() {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /** Completes with the exit code on the agent's context, whoever ended the process. */
  Future<Integer> exited() {
    return exited;
  }

  /** Whether the agent asked it to stop, as opposed to it dying on its own. */
  boolean stopRequested() {
    return stopRequested;
  }

  /** The last lines it printed (stdout and stderr), oldest first, joined with " | " so a log line stays one line. */
  String outputTail() {
    synchronized (tail) {
      return String.join(" | ", tail);
    }
  }

  /**
   * SIGTERM to the process and everything it started (a wrapper script may not exec llama-server), then SIGKILL
   * after {@code grace}.
   */
  Future<Integer> stop(Duration grace) {
    stopRequested = true;
    if (exited.isComplete()) {
      return exited;
    }
    // Listing the descendants scans /proc, so it runs on a worker, unordered so that it waits for no other blocking
    // task. It comes before any signal: once the process is gone, its children are reparented and out of reach.
    Future<List<ProcessHandle>> tree = context.executeBlocking(this::tree, false);
    tree.onSuccess(all -> signal(all, false));
    long timer = context.owner().setTimer(Math.max(1, grace.toMillis()),
        id -> signal(tree.succeeded() ? tree.result() : List.of(process.toHandle()), true));
    return exited.andThen(done -> context.owner().cancelTimer(timer));
  }

  /** The children first, so that none sees its parent die and goes on alone. */
  private List<ProcessHandle> tree() {
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process.toHandle());
    return all;
  }

  /** A kill(2) each, which does not wait: sent from the event loop, a busy worker pool cannot delay it. */
  private static void signal(List<ProcessHandle> handles, boolean kill) {
    for (ProcessHandle handle : handles) {
      if (kill) {
        handle.destroyForcibly();
      } else {
        handle.destroy();
      }
    }
  }

  private void readOutput() {
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String kept = line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) + "..." : line;
        synchronized (tail) {
          if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
          }
          tail.addLast(kept.strip());
        }
      }
    } catch (IOException e) {
      // The pipe closes when the process dies; whatever was read is the tail.
    } finally {
      outputClosed.complete(null);
    }
  }
}
