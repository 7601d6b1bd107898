package dev.rolemesh.nodeagent;

import dev.rolemesh.config.Seconds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * Which GPU serves which model, as pure decisions: given the GPUs as they are, the requests waiting in arrival order,
 * the models a reload retired and the recent load failures, {@link #plan} says which waiters go to which ready
 * server, which GPU switches to which model, which servers of retired models stop and which waiters are refused. It
 * starts nothing, keeps nothing and reads no clock; {@link ModelScheduler} carries the decisions out (processes,
 * timers, leases) and asks again whenever a GPU or the queue changed. A plan applies the rules in this order:
 *
 * <ol>
 *   <li><b>Admit.</b> A waiter whose model a ready server holds goes there, whatever waits before it. A model that
 *       has just become ready so takes all of its waiters before anyone may claim its GPU, which is what makes a
 *       burst of mixed requests switch once per model rather than once per request.
 *   <li><b>Retire.</b> A ready server of a model a reload removed drains and stops once nobody waits for it.
 *   <li><b>Load</b>, in arrival order. A waiter whose model is on its way to a GPU waits for that load. One whose model
 *       failed to load less than {@code failed_retry_s} ago is refused with the time left as Retry-After. Otherwise
 *       its model claims a GPU that may switch now (empty, failed, ready, or waiting to restart a crashed server
 *       nobody waits for; never one in the middle of a switch): one running no server first, then one with no
 *       request in flight, then the least recently used. A ready GPU
 *       claimed this way drains its requests first. A model pinned to a GPU claims only that one. With no GPU that
 *       may switch, the waiter waits for the next plan.
 * </ol>
 *
 * <p>No starvation: GPUs are claimed in arrival order, and a claim takes a busy GPU too (it drains; new requests for
 * the model it held wait behind the claim), so the oldest waiter's model is loaded as soon as one GPU it may use
 * finishes the switch it is in. A model that keeps a GPU busy cannot hold it against an older waiter for another
 * model; the price is a switch per burst when two models share one GPU.
 */
final class GpuPolicy {

  private GpuPolicy() {}

  /**
   * What the policy sees of one GPU and its server. Models compare by value, never by identity: a reload reads the
   * models list anew, and a server started before it holds an equal spec that must still count as the same model.
   *
   * @param index the GPU index, or null for the CPU slot
   * @param serving the model of its server, or the one being loaded or restarted
   * @param next while draining or stopping for a switch: the model loaded next
   * @param lastUsedNanos when a request last started or ended there, on {@link System#nanoTime()}'s scale
   * @param closed the agent is stopping it for good
   */
  record GpuView(Integer index, GpuSlot.State state, ModelSpec serving, ModelSpec next, int inFlight,
      long lastUsedNanos, boolean closed) {

    boolean readyFor(ModelSpec model) {
      return state == GpuSlot.State.READY && model.equals(serving);
    }

    /** On its way to serving {@code model}: a request for it should wait, not switch another GPU. */
    boolean loading(ModelSpec model) {
      return switch (state) {
        case LOADING, RESTARTING -> model.equals(serving);
        case DRAINING, STOPPING -> model.equals(next);
        default -> false;
      };
    }

    /**
     * A switch may start now; a GPU in the middle of one finishes it first. One waiting out the backoff before it
     * restarts a crashed server runs nothing: it may switch unless someone waits for that restart.
     */
    boolean switchable(Set<ModelSpec> wanted) {
      return !closed && (vacant() || state == GpuSlot.State.READY
          || state == GpuSlot.State.RESTARTING && !wanted.contains(serving));
    }

    /** No server runs: the first choice for a model that needs a GPU. */
    boolean serverless() {
      return vacant() || state == GpuSlot.State.RESTARTING;
    }

    /** No server: the first choice for a model that needs a GPU. */
    boolean vacant() {
      return state == GpuSlot.State.EMPTY || state == GpuSlot.State.FAILED;
    }

    /** The model a ready server holds, or null. */
    ModelSpec loaded() {
      return state == GpuSlot.State.READY ? serving : null;
    }

    private GpuView admitted(long nowNanos) {
      return new GpuView(index, state, serving, next, inFlight + 1, nowNanos, closed);
    }

    /** As it is once a switch to {@code model} (or, for null, a retirement) has started. */
    private GpuView switching(ModelSpec model) {
      return state == GpuSlot.State.READY
          ? new GpuView(index, GpuSlot.State.DRAINING, serving, model, inFlight, lastUsedNanos, closed)
          : new GpuView(index, GpuSlot.State.LOADING, model, null, inFlight, lastUsedNanos, closed);
    }
  }

  /** A request waiting for {@code model}; {@code who} is whatever the caller knows it by. */
  record Waiting<W>(W who, ModelSpec model) {}

  /** A load of the model that failed at {@code atNanos} (on {@link System#nanoTime()}'s scale). */
  record Failure(String reason, long atNanos) {}

  /** Why a request is turned away, and how long its client should wait before trying again. */
  record Refusal(String message, int retryAfterSeconds) {}

  /**
   * Everything a plan depends on.
   *
   * @param gpus every GPU, in the agent's order; decisions name them by position in this list
   * @param waiting the requests waiting, oldest first
   * @param retired models a reload removed
   * @param failures the last failed load of each model, until one succeeds
   * @param failedRetry how long a failed model is refused ({@code llama_server.failed_retry_s})
   */
  record State<W>(List<GpuView> gpus, List<Waiting<W>> waiting, Set<ModelSpec> retired,
      Map<ModelSpec, Failure> failures, Duration failedRetry, long nowNanos) {}

  /** What to do; {@code gpu} is a position in {@link State#gpus()}. */
  sealed interface Decision<W> {}

  /** Send the waiter to the ready server on {@code gpu}. */
  record Admit<W>(W waiter, int gpu) implements Decision<W> {}

  /** Answer the waiter with a 503. */
  record Refuse<W>(W waiter, Refusal why) implements Decision<W> {}

  /** Switch {@code gpu} to {@code model}: load it there, after draining and stopping the server it has. */
  record Load<W>(int gpu, ModelSpec model) implements Decision<W> {}

  /** Drain and stop the server on {@code gpu}, leaving the GPU empty. */
  record Retire<W>(int gpu) implements Decision<W> {}

  /** What a client is told to wait before trying again when the agent is busy loading. */
  static final int RETRY_AFTER_LOADING_S = 5;

  /**
   * Whether a new request for {@code model} may join the queue: not while the agent shuts down, and not past
   * {@code max_waiting} waiters unless its model is ready (it will not wait then). Each waiter holds its request
   * body, so past the bound the queue would only turn load into memory.
   *
   * @return null when it may, else why not
   */
  static Refusal admission(List<GpuView> gpus, ModelSpec model, int waiting, int maxWaiting, boolean closed) {
    if (closed) {
      return shuttingDown();
    }
    if (waiting >= maxWaiting && gpus.stream().noneMatch(gpu -> gpu.readyFor(model))) {
      return new Refusal(waiting + " requests are already waiting for models to load (llama_server.max_waiting);"
          + " try again shortly", RETRY_AFTER_LOADING_S);
    }
    return null;
  }

  static Refusal shuttingDown() {
    return new Refusal("The node agent is shutting down", RETRY_AFTER_LOADING_S);
  }

  /** The decisions the state calls for, in the order they are to be carried out. */
  static <W> List<Decision<W>> plan(State<W> state) {
    List<GpuView> gpus = new ArrayList<>(state.gpus());
    List<Waiting<W>> left = new ArrayList<>();
    List<Decision<W>> decisions = new ArrayList<>();
    for (Waiting<W> waiter : state.waiting()) {
      int ready = find(gpus, gpu -> gpu.readyFor(waiter.model()));
      if (ready >= 0) {
        decisions.add(new Admit<>(waiter.who(), ready));
        gpus.set(ready, gpus.get(ready).admitted(state.nowNanos()));
      } else {
        left.add(waiter);
      }
    }
    for (int i = 0; i < gpus.size(); i++) {
      ModelSpec model = gpus.get(i).loaded();
      if (model != null && state.retired().contains(model)
          && left.stream().noneMatch(waiter -> waiter.model().equals(model))) {
        decisions.add(new Retire<>(i));
        gpus.set(i, gpus.get(i).switching(null));
      }
    }
    Set<ModelSpec> wanted = new HashSet<>();
    left.forEach(waiter -> wanted.add(waiter.model()));
    for (Waiting<W> waiter : left) {
      ModelSpec model = waiter.model();
      if (find(gpus, gpu -> gpu.loading(model)) >= 0) {
        continue;
      }
      Refusal failed = recentFailure(model, state);
      if (failed != null) {
        decisions.add(new Refuse<>(waiter.who(), failed));
        continue;
      }
      int chosen = choose(gpus, model, wanted);
      if (chosen >= 0) {
        decisions.add(new Load<>(chosen, model));
        gpus.set(chosen, gpus.get(chosen).switching(model));
      }
    }
    return decisions;
  }

  private static Refusal recentFailure(ModelSpec model, State<?> state) {
    Failure failure = state.failures().get(model);
    if (failure == null) {
      return null;
    }
    Duration left = state.failedRetry().minusNanos(state.nowNanos() - failure.atNanos());
    if (left.isNegative() || left.isZero()) {
      return null;
    }
    return new Refusal("Model '" + model.modelId() + "' failed to start: " + failure.reason(),
        (int) Math.max(1, (left.toMillis() + 999) / 1000));
  }

  /**
   * A GPU running no server, else one with no request in flight, else the least recently used; -1 when none may
   * switch.
   */
  private static int choose(List<GpuView> gpus, ModelSpec model, Set<ModelSpec> wanted) {
    return IntStream.range(0, gpus.size())
        .filter(i -> model.gpu() == null || Objects.equals(gpus.get(i).index(), model.gpu()))
        .filter(i -> gpus.get(i).switchable(wanted))
        .boxed()
        .min(Comparator.comparing((Integer i) -> !gpus.get(i).serverless())
            .thenComparing(i -> gpus.get(i).inFlight() > 0)
            .thenComparingLong(i -> gpus.get(i).lastUsedNanos()))
        .orElse(-1);
  }

  private static int find(List<GpuView> gpus, Predicate<GpuView> test) {
    for (int i = 0; i < gpus.size(); i++) {
      if (test.test(gpus.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Slots of the ready servers that no request holds: what the node can take now without a wait. */
  static int freeSlots(List<GpuView> gpus) {
    return gpus.stream().filter(gpu -> gpu.loaded() != null)
        .mapToInt(gpu -> Math.max(0, gpu.loaded().parallel() - gpu.inFlight())).sum();
  }

  /** Restart delays double per crash in a row up to this. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

  /**
   * How long to wait before restarting a server that crashed: {@code restart_backoff_s}, doubled for each crash in a
   * row, at most {@link #MAX_BACKOFF}, and at least a millisecond.
   */
  static Duration restartDelay(Duration backoff, int crashesInRow) {
    Duration delay = backoff.multipliedBy(1L << Math.min(Math.max(crashesInRow, 1) - 1, 20));
    return delay.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay.compareTo(Duration.ofMillis(1)) < 0
        ? Duration.ofMillis(1) : delay;
  }

  /** A crash counts as one more in a row unless the server had run longer than {@link #MAX_BACKOFF}. */
  static int crashesInRow(int before, Duration uptime) {
    return uptime.compareTo(MAX_BACKOFF) > 0 ? 1 : before + 1;
  }

  /** The message of a waiter whose wait for its model ran out. */
  static Refusal waitedTooLong(ModelSpec model, Duration switchWait) {
    return new Refusal("Model '" + model.modelId() + "' is still loading after " + Seconds.format(switchWait)
        + " (llama_server.switch_wait_s); try again shortly", RETRY_AFTER_LOADING_S);
  }
}
