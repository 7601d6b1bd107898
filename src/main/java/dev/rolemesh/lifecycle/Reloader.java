package dev.rolemesh.lifecycle;

import dev.rolemesh.config.ConfigException;
import dev.rolemesh.observability.JsonLog;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Re-reads a config when asked (SIGHUP, a changed file) and hands a valid one to {@code apply}. An invalid one is
 * refused with the same one-line error startup would give, logged and counted; whatever config was serving goes on
 * serving. Reloads run one at a time on their own thread: reading files never happens on an event loop.
 *
 * @param <C> the config type
 */
public final class Reloader<C> implements AutoCloseable {

  /** Reads the config again from the same files and environment as at startup. */
  @FunctionalInterface
  public interface Source<C> {
    C load() throws ConfigException;
  }

  private final Source<C> source;
  private final BiConsumer<C, String> apply;
  private final Runnable refused;
  private final JsonLog log;
  private final AtomicLong failures = new AtomicLong();
  private final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
    Thread reload = new Thread(task, "rolemesh-reload");
    reload.setDaemon(true);
    return reload;
  });

  /**
   * @param apply puts a loaded config into force and logs what changed; gets the trigger too
   * @param refused told of each refused reload (a metric counts them)
   */
  public Reloader(Source<C> source, BiConsumer<C, String> apply, Runnable refused, JsonLog log) {
    this.source = source;
    this.apply = apply;
    this.refused = refused;
    this.log = log;
  }

  /** Queues a reload; {@code trigger} says why in the log ({@code SIGHUP}, {@code file change}). */
  public void request(String trigger) {
    thread.execute(() -> reload(trigger));
  }

  private void reload(String trigger) {
    C loaded;
    try {
      loaded = source.load();
    } catch (ConfigException e) {
      long failed = failures.incrementAndGet();
      log.error("reload_failed", e.getMessage(), "trigger", trigger, "failed_reloads", failed,
          "action", "kept the config in force");
      refused.run();
      return;
    }
    apply.accept(loaded, trigger);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
