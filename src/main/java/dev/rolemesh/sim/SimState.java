package dev.rolemesh.sim;

import io.vertx.core.Vertx;

/** What the parts of one running simulator share. Mutable parts are used on the server's event loop only. */
final class SimState {

  final Vertx vertx;
  final SimOptions options;
  final SlotPool slots;
  final LlamaMetrics metrics = new LlamaMetrics();
  final StatsRecorder stats = new StatsRecorder();
  private final long startNanos = System.nanoTime();
  private final long startEpochMicros = System.currentTimeMillis() * 1000;
  private volatile boolean loading;

  SimState(Vertx vertx, SimOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.slots = new SlotPool(options.parallel());
    this.loading = options.loadDelayMs() > 0;
  }

  boolean loading() {
    return loading;
  }

  void loaded() {
    loading = false;
  }

  /**
   * Wall-clock microseconds that never step back: the start time plus monotonic time elapsed, so per-chunk stamps
   * stay comparable with the client's own epoch clock yet immune to NTP adjustments during a run.
   */
  long epochMicros() {
    return startEpochMicros + (System.nanoTime() - startNanos) / 1000;
  }
}
