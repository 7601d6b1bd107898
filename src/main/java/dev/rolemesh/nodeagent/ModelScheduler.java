package dev.rolemesh.nodeagent;

import dev.rolemesh.observability.JsonLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Carries out {@link GpuPolicy}'s decisions: keeps the queue of waiting requests with their timers, hands out leases
 * on ready servers, tells {@link GpuSlot}s to switch or retire, and asks the policy again whenever a slot or the queue
 * changes. What to do is the policy's; this class only does it. All state lives on the agent's event loop, so no
 * locks: every method must be called there.
 */
final class ModelScheduler implements GpuSlot.Events {

  private final Context context;
  private final AgentConfig.LlamaServer settings;
  private final List<GpuSlot> slots = new ArrayList<>();
  private final List<Waiter> waiting = new ArrayList<>();
  private final Map<ModelSpec, GpuPolicy.Failure> failures = new HashMap<>();
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

    Unavailable(GpuPolicy.Refusal why) {
      super(why.message(), null, false, false);
      this.retryAfterSeconds = why.retryAfterSeconds();
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

  /** A request waiting for its model; {@link #cancel()} when its client leaves before it was admitted. */
  final class Waiter {
    private final ModelSpec model;
    private final Promise<Lease> lease = Promise.promise();
    private long timer = -1;

    private Waiter(ModelSpec model) {
      this.model = model;
    }

    Future<Lease> lease() {
      return lease.future();
    }

    void cancel() {
      if (waiting.remove(this)) {
        context.owner().cancelTimer(timer);
        lease.fail(new Unavailable(new GpuPolicy.Refusal("client left", 0)));
      }
    }

    private void enqueue(Duration limit) {
      waiting.add(this);
      timer = context.owner().setTimer(limit.toMillis(), id -> {
        if (waiting.remove(this)) {
          lease.fail(new Unavailable(GpuPolicy.waitedTooLong(model, limit)));
        }
      });
    }

    private void admit(GpuSlot slot) {
      context.owner().cancelTimer(timer);
      lease.complete(new Lease(slot, slot.acquire()));
    }

    private void fail(GpuPolicy.Refusal why) {
      context.owner().cancelTimer(timer);
      lease.fail(new Unavailable(why));
    }
  }

  /** Queues a request for {@code model}; its lease arrives once a server holds the model and is ready. */
  Waiter acquire(ModelSpec model) {
    Waiter waiter = new Waiter(model);
    GpuPolicy.Refusal refused = GpuPolicy.admission(views(), model, waiting.size(), settings.maxWaiting(), closed);
    if (refused != null) {
      waiter.fail(refused);
      return waiter;
    }
    waiter.enqueue(settings.switchWait());
    pump();
    return waiter;
  }

  @Override
  public void changed() {
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

  @Override
  public void ready(ModelSpec model) {
    failures.remove(model);
    changed();
  }

  @Override
  public void failed(ModelSpec model, String reason) {
    failures.put(model, new GpuPolicy.Failure(reason, System.nanoTime()));
    changed();
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

  /**
   * Asks the policy what the state calls for and does it. Carrying out a decision can change a slot at once (a
   * switch with nothing in flight starts stopping), which asks for a pump from within this one: that is done as
   * another round, on the state the first round left.
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
        List<GpuPolicy.Waiting<Waiter>> queue = waiting.stream()
            .map(waiter -> new GpuPolicy.Waiting<>(waiter, waiter.model)).toList();
        GpuPolicy.plan(new GpuPolicy.State<>(views(), queue, retired, failures, settings.failedRetry(),
            System.nanoTime())).forEach(this::carryOut);
      } while (pumpAgain);
    } finally {
      pumping = false;
    }
  }

  private void carryOut(GpuPolicy.Decision<Waiter> decision) {
    switch (decision) {
      case GpuPolicy.Admit<Waiter>(Waiter waiter, int gpu) -> {
        if (waiting.remove(waiter)) {
          waiter.admit(slots.get(gpu));
        }
      }
      case GpuPolicy.Refuse<Waiter>(Waiter waiter, GpuPolicy.Refusal why) -> {
        if (waiting.remove(waiter)) {
          waiter.fail(why);
        }
      }
      case GpuPolicy.Load<Waiter>(int gpu, ModelSpec model) -> slots.get(gpu).switchTo(model);
      case GpuPolicy.Retire<Waiter>(int gpu) -> slots.get(gpu).retire();
    }
  }

  private List<GpuPolicy.GpuView> views() {
    return slots.stream().map(GpuSlot::view).toList();
  }

  List<GpuSlot.Snapshot> snapshots() {
    return slots.stream().map(GpuSlot::snapshot).toList();
  }

  /** The slot holding a ready server for the model, or null. */
  GpuSlot slotOf(ModelSpec model) {
    return slots.stream().filter(slot -> slot.view().readyFor(model)).findFirst().orElse(null);
  }

  int inFlight() {
    return slots.stream().mapToInt(GpuSlot::inFlight).sum();
  }

  /** Slots of the ready servers that no request holds: what this node can take now without a wait. */
  int freeSlots() {
    return GpuPolicy.freeSlots(views());
  }

  int waitingCount() {
    return waiting.size();
  }

  List<String> loadedModels() {
    return views().stream().map(GpuPolicy.GpuView::loaded).filter(Objects::nonNull).map(ModelSpec::modelId)
        .toList();
  }

  /**
   * Refuses new requests and fails the waiting ones (a load now would only be stopped again), while the servers keep
   * serving the requests they already have: the start of a drain.
   */
  void refuseNew() {
    closed = true;
    for (Waiter waiter : List.copyOf(waiting)) {
      waiting.remove(waiter);
      waiter.fail(GpuPolicy.shuttingDown());
    }
  }

  /** Refuses new requests, fails the waiting ones and stops every server. */
  Future<Void> close() {
    refuseNew();
    return Future.all(slots.stream().map(GpuSlot::close).toList()).mapEmpty();
  }
}
