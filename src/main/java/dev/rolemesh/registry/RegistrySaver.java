package dev.rolemesh.registry;

import dev.rolemesh.observability.JsonLog;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Writes the registry to its file on a thread of its own, so a slow disk never stalls an event loop.
 *
 * <p>Group commit: a change the caller must not acknowledge before it is on disk ({@link #save}) gets a future that
 * completes once a save taken after the change has been forced to disk. Changes that arrive while a save runs wait
 * for the next one, which takes the registry as it is then: a burst of registrations costs a couple of writes, each
 * answer waits a few milliseconds, and {@code kill -9} at any instant loses no change that was acknowledged.
 *
 * <p>A change that may be lost ({@link #touch}, a heartbeat's {@code last_seen}) only makes sure a save happens
 * within {@code touchDelay}, so a fleet's heartbeats cost at most one write per delay instead of one each.
 */
final class RegistrySaver {

  /** The save a waiting change was folded into failed; the change is in memory but not on disk. */
  static final class NotSaved extends Exception {
    NotSaved(String message) {
      super(message, null, false, false);
    }
  }

  private final RegistryFile file;
  private final Supplier<List<Node>> snapshot;
  private final JsonLog log;
  private final Duration touchDelay;
  private final ScheduledThreadPoolExecutor thread;

  private final Object lock = new Object();
  private List<CompletableFuture<Void>> waiting = new ArrayList<>();
  private boolean saveQueued;
  private boolean touched;
  private ScheduledFuture<?> touchTimer;
  private boolean closed;

  RegistrySaver(RegistryFile file, Supplier<List<Node>> snapshot, JsonLog log, Duration touchDelay) {
    this.file = file;
    this.snapshot = snapshot;
    this.log = log;
    this.touchDelay = touchDelay;
    this.thread = new ScheduledThreadPoolExecutor(1,
        task -> Thread.ofPlatform().daemon().name("rolemesh-registry-save").unstarted(task));
    // close() writes what a pending timer would have; the timer must not hold up the shutdown.
    this.thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /**
   * Asks for a save that includes every change made before this call; returns at once. The future completes on
   * the saver's thread when that save is on disk, or fails with {@link NotSaved}.
   */
  CompletableFuture<Void> save() {
    CompletableFuture<Void> durable = new CompletableFuture<>();
    synchronized (lock) {
      if (closed) {
        durable.completeExceptionally(new NotSaved("the gateway is shutting down"));
        return durable;
      }
      waiting.add(durable);
      if (!saveQueued) {
        saveQueued = true;
        thread.execute(this::write);
      }
    }
    return durable;
  }

  /** Records a change that the next save will carry, and makes sure there is one within the touch delay. */
  void touch() {
    synchronized (lock) {
      touched = true;
      if (touchTimer == null && !closed) {
        touchTimer = thread.schedule(this::touchDue, touchDelay.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
  }

  private void touchDue() {
    synchronized (lock) {
      touchTimer = null;
      if (!touched) {
        // A save since the touch already carried it.
        return;
      }
    }
    write();
  }

  private void write() {
    List<CompletableFuture<Void>> batch;
    synchronized (lock) {
      // Taken before the snapshot: every change whose caller is in the batch is already in the registry, and one
      // that arrives from now on waits for the next save.
      batch = waiting;
      waiting = new ArrayList<>();
      saveQueued = false;
      touched = false;
    }
    try {
      file.write(snapshot.get());
      batch.forEach(durable -> durable.complete(null));
    } catch (IOException | RuntimeException e) {
      log.error("registry_save_failed", "Could not save the node registry to " + file.path() + ": " + e
          + "; the previous file stays in place and the next change retries", "path", file.path().toString());
      NotSaved failed = new NotSaved("the registry could not be saved to disk (the gateway's log says why)");
      batch.forEach(durable -> durable.completeExceptionally(failed));
    }
  }

  /** Saves what is not saved yet and blocks until it is on disk; later changes are refused. */
  void close() {
    synchronized (lock) {
      closed = true;
      if (touched && !saveQueued) {
        saveQueued = true;
        thread.execute(this::write);
      }
    }
    thread.shutdown();
    try {
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("registry_save_slow", "The node registry save did not finish within 10 s of shutdown",
            "path", file.path().toString());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
