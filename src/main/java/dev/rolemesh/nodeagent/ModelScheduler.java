package dev.rolemesh.nodeagent;

import dev.rolemesh.config.Seconds;
import dev.rolemesh.observability.JsonLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides which GPU serves which model. Requests wait in one queue until a slot is ready with their model; a model
 * nobody holds takes a vacant GPU first, else the least recently used one. All state lives on the agent's event
 * loop, so no locks: every method must be called there.
 */
final class ModelScheduler {

  /** What a client is told to wait before trying again when its wait for a load ran out. */
  static final int RETRY_AFTER_LOADING_S = 5;

  private final Context context;
  private final AgentConfig.LlamaServer settings;
  private final List<GpuSlot> slots = new ArrayList<>();
  private final List<Waiter> waiting = new ArrayList<>();
  private final Map<ModelSpec, LoadFailure> failures = new HashMap<>();
  private final Runnable loadedChanged;
  private Set<String> lastLoaded = Set.of();
  /** Models a reload removed: their servers stop once no request holds or waits for them. */
  private final Set<ModelSpec> retired = new HashSet<>();
  private boolean pumping;
  private boolean pumpAgain;
  private boolean closed;

  /**
   * @param loadedChanged told when the set of loaded (or failed) models changes, to re-register
   */
  ModelScheduler(Context context, AgentConfig config, ServerLauncher launcher, HttpClient health, JsonLog log,
      Runnable loadedChanged) {
    this.context = context;
    this.settings = config.llamaServer();
    this.loadedChanged = loadedChanged;
    if (config.gpus().isEmpty()) {
      slots.add(new GpuSlot(null, context, settings, launcher, health, this, log));
    }
    for (int gpu : config.gpus()) {
      slots.add(new GpuSlot(gpu, context, settings, launcher, health, this, log));
    }
  }

  /** The model could not be served now; {@code retryAfterSeconds} goes into the 503's Retry-After. */
  static final class Unavailable extends Exception {
    private final int retryAfterSeconds;

    Unavailable(String message, int retryAfterSeconds) {
      super(message, null, false, false);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    int retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** Permission to send one request to a ready server; release it exactly once when the exchange ends. */
  record Lease(GpuSlot slot, int port) {
    void release() {
      slot.release();
    }
  }

  private record LoadFailure(String reason, long atNanos) {}

  /** A request waiting for its model; {@link #cancel()} when its client leaves before it was admitted. */
  final class Waiter {
    private final ModelSpec model;
    private final Promise<Lease> lease = Promise.promise();
    private final long timer;

    private Waiter(ModelSpec model) {
      this.model = model;
      this.timer = context.owner().setTimer(settings.switchWait().toMillis(), id -> {
        if (waiting.remove(this)) {
          lease.fail(new Unavailable("Model '" + model.modelId() + "' is still loading after "
              + Seconds.format(settings.switchWait()) + " (llama_server.switch_wait_s); try again shortly",
              RETRY_AFTER_LOADING_S));
        }
      });
    }

    Future<Lease> lease() {
      return lease.future();
    }

    void cancel() {
      if (waiting.remove(this)) {
        context.owner().cancelTimer(timer);
        lease.fail(new Unavailable("client left", 0));
      }
    }

    private void admit(GpuSlot slot) {
      context.owner().cancelTimer(timer);
      lease.complete(new Lease(slot, slot.acquire()));
    }

    private void fail(Unavailable why) {
      context.owner().cancelTimer(timer);
      lease.fail(why);
    }
  }

  /** Queues a request for {@code model}; its lease arrives once a server holds the model and is ready. */
  Waiter acquire(ModelSpec model) {
    Waiter waiter = new Waiter(model);
    if (closed) {
      waiter.fail(new Unavailable("The node agent is shutting down", RETRY_AFTER_LOADING_S));
      return waiter;
    }
    if (waiting.size() >= settings.maxWaiting() && slotOf(model) == null) {
      // Each waiter holds its request body: past the bound, the queue would only turn load into memory.
      waiter.fail(new Unavailable(waiting.size() + " requests are already waiting for models to load"
          + " (llama_server.max_waiting); try again shortly", RETRY_AFTER_LOADING_S));
      return waiter;
    }
    waiting.add(waiter);
    pump();
    return waiter;
  }

  void slotChanged() {
    pump();
    Set<String> loaded = new LinkedHashSet<>();
    for (GpuSlot slot : slots) {
      if (slot.state() == GpuSlot.State.READY || slot.state() == GpuSlot.State.FAILED) {
        loaded.add(slot.state() + " " + slot.snapshot().model());
      }
    }
    if (!loaded.equals(lastLoaded)) {
      lastLoaded = loaded;
      loadedChanged.run();
    }
  }

  void modelReady(ModelSpec model) {
    failures.remove(model);
    slotChanged();
  }

  void loadFailed(ModelSpec model, String reason) {
    failures.put(model, new LoadFailure(reason, System.nanoTime()));
    slotChanged();
  }

  /**
   * Admits every waiter whose model is ready, then starts the loads the rest need. Admitting first is what makes a
   * burst switch once: a model that just became ready takes all of its waiters before a waiter for another model
   * may claim the GPU, and that claim then waits for them to finish.
   */
  private void pump() {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        admitReady();
        retireUnused();
        startLoads();
      } while (pumpAgain);
    } finally {
      pumping = false;
    }
  }

  private void admitReady() {
    for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      for (GpuSlot slot : slots) {
        if (slot.readyFor(waiter.model)) {
          it.remove();
          waiter.admit(slot);
          break;
        }
      }
    }
  }

  private void retireUnused() {
    for (GpuSlot slot : slots) {
      ModelSpec model = slot.loaded();
      if (model != null && retired.contains(model) && waiting.stream().noneMatch(waiter -> waiter.model == model)) {
        slot.retire();
      }
    }
  }

  /**
   * A reload removed {@code removed} and kept or added {@code current}: servers of a removed model drain and stop
   * once no request holds or waits for them (a load in progress finishes its waiting requests first), and a model
   * that comes back is no longer retired.
   */
  void modelsChanged(Collection<ModelSpec> removed, Collection<ModelSpec> current) {
    retired.addAll(removed);
    retired.removeAll(current);
    pump();
  }

  private void startLoads() {
    for (Iterator<Waiter> it = new ArrayList<>(waiting).iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      if (slots.stream().anyMatch(slot -> slot.loading(waiter.model) || slot.readyFor(waiter.model))) {
        continue;
      }
      Unavailable failed = recentFailure(waiter.model);
      if (failed != null) {
        waiting.remove(waiter);
        waiter.fail(failed);
        continue;
      }
      GpuSlot slot = choose(waiter.model);
      if (slot != null) {
        slot.switchTo(waiter.model);
      }
    }
  }

  private Unavailable recentFailure(ModelSpec model) {
    LoadFailure failure = failures.get(model);
    if (failure == null) {
      return null;
    }
    Duration left = settings.failedRetry().minusNanos(System.nanoTime() - failure.atNanos());
    if (left.isNegative() || left.isZero()) {
      return null;
    }
    return new Unavailable("Model '" + model.modelId() + "' failed to start: " + failure.reason(),
        (int) Math.max(1, (left.toMillis() + 999) / 1000));
  }

  /** A vacant GPU, else the least recently used one, preferring one with no request in flight. */
  private GpuSlot choose(ModelSpec model) {
    return slots.stream()
        .filter(slot -> model.gpu() == null || Objects.equals(slot.gpu(), model.gpu()))
        .filter(GpuSlot::switchable)
        .min(Comparator.comparing((GpuSlot slot) -> !slot.vacant())
            .thenComparing(slot -> slot.inFlight() > 0)
            .thenComparingLong(GpuSlot::lastUsedNanos))
        .orElse(null);
  }

  List<GpuSlot.Snapshot> snapshots() {
    return slots.stream().map(GpuSlot::snapshot).toList();
  }

  /** The slot holding a ready server for the model, or null. */
  GpuSlot slotOf(ModelSpec model) {
    return slots.stream().filter(slot -> slot.readyFor(model)).findFirst().orElse(null);
  }

  int inFlight() {
    return slots.stream().mapToInt(GpuSlot::inFlight).sum();
  }

  /** Slots of the ready servers that no request holds: what this node can take now without a wait. */
  int freeSlots() {
    return slots.stream().filter(slot -> slot.loaded() != null)
        .mapToInt(slot -> Math.max(0, slot.loaded().parallel() - slot.inFlight())).sum();
  }

  int waitingCount() {
    return waiting.size();
  }

  List<String> loadedModels() {
    return slots.stream().map(GpuSlot::loaded).filter(Objects::nonNull).map(ModelSpec::modelId).toList();
  }

  /**
   * Refuses new requests and fails the waiting ones (a load now would only be stopped again), while the servers keep
   * serving the requests they already have: the start of a drain.
   */
  void refuseNew() {
    closed = true;
    for (Waiter waiter : List.copyOf(waiting)) {
      waiting.remove(waiter);
      waiter.fail(new Unavailable("The node agent is shutting down", RETRY_AFTER_LOADING_S));
    }
  }

  /** Refuses new requests, fails the waiting ones and stops every server. */
  Future<Void> close() {
    refuseNew();
    return Future.all(slots.stream().map(GpuSlot::close).toList()).mapEmpty();
  }
}
