package dev.rolemesh.nodeagent;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The host facts the inventory and the registrations show, probed at most once per {@code freshFor} and never twice
 * at a time. A probe runs nvidia-smi, which may take up to 10 s, and the inventory needs no key: a dashboard polling
 * it must not start a probe per request. While a probe runs, callers get the previous facts, so only the very first
 * probe is ever waited for. Every method must be called on the agent's event loop.
 */
final class HostProbe {

  /** How long facts are served before the next request probes again: GPU memory figures stay that fresh. */
  static final Duration FRESH_FOR = Duration.ofSeconds(5);

  private final Context context;
  private final Callable<HostFacts> probe;
  private final Duration freshFor;
  private HostFacts latest;
  private long probedNanos;
  private Future<HostFacts> running;

  HostProbe(Context context, Callable<HostFacts> probe, Duration freshFor) {
    this.context = context;
    this.probe = probe;
    this.freshFor = freshFor;
  }

  /**
   * The last facts probed, starting a probe when they are stale and none runs. Only until the first probe has ended
   * does the answer wait for one.
   */
  Future<HostFacts> facts() {
    boolean fresh = latest != null && System.nanoTime() - probedNanos < freshFor.toNanos();
    if (!fresh && running == null) {
      // Unordered: the agent's other blocking work must not queue behind a slow nvidia-smi, nor it behind them.
      running = context.executeBlocking(probe, false).andThen(done -> {
        running = null;
        if (done.succeeded()) {
          latest = done.result();
          probedNanos = System.nanoTime();
        }
      });
    }
    return latest != null ? Future.succeededFuture(latest) : running;
  }

  /** The facts of the last probe, or null until the first one has finished. */
  HostFacts latest() {
    return latest;
  }
}
