package dev.rolemesh.registry;

import dev.rolemesh.observability.JsonLog;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Writes the registry to its file on a thread of its own, so a slow disk never stalls an event loop. Changes that
 * arrive while a save is queued or running are folded into the next save, which takes the registry as it is then:
 * a burst of registrations costs a couple of writes, and the file always ends with the latest state.
 */
final class RegistrySaver {

  private final RegistryFile file;
  private final Supplier<List<Node>> snapshot;
  private final JsonLog log;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final ExecutorService thread = Executors.newSingleThreadExecutor(
      task -> Thread.ofPlatform().daemon().name("rolemesh-registry-save").unstarted(task));

  RegistrySaver(RegistryFile file, Supplier<List<Node>> snapshot, JsonLog log) {
    this.file = file;
    this.snapshot = snapshot;
    this.log = log;
  }

  /** Asks for a save of the registry as it will be when the save runs; returns at once. */
  void saveSoon() {
    if (queued.compareAndSet(false, true)) {
      try {
        thread.execute(this::save);
      } catch (RejectedExecutionException e) {
        // Closing: the final save already covers this change or the process is going away.
      }
    }
  }

  private void save() {
    // Cleared before reading the snapshot, so a change made during the write queues another save.
    queued.set(false);
    try {
      file.write(snapshot.get());
    } catch (IOException | RuntimeException e) {
      log.error("registry_save_failed", "Could not save the node registry to " + file.path() + ": " + e
          + "; the previous file stays in place and the next change retries", "path", file.path().toString());
    }
  }

  /** Blocks until the saves asked for so far are on disk. */
  void close() {
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
