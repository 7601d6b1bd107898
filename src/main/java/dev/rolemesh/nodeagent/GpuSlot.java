package dev.rolemesh.nodeagent;

import dev.rolemesh.config.Seconds;
import dev.rolemesh.observability.JsonLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Locale;

/**
 * One GPU (or the CPU slot) and the one llama-server on it. Every method runs on the agent's event loop, so the
 * transitions of a slot never interleave: a switch drains, stops, loads and turns ready as one sequence, and a
 * second switch cannot start until the first has finished.
 *
 * <pre>
 * EMPTY/FAILED -switchTo-> LOADING -/health 200-> READY -switchTo-> DRAINING -last request done-> STOPPING -> LOADING
 *                            |                      |  |-idle_unload_s-> STOPPING -> EMPTY
 *                            |                      `-crash-> RESTARTING -backoff-> LOADING
 *                            |                                  `-switchTo-> LOADING (another model)
 *                            `-exit or ready_timeout_s-> STOPPING -> FAILED
 * </pre>
 */
final class GpuSlot {

  enum State { EMPTY, LOADING, READY, DRAINING, STOPPING, RESTARTING, FAILED }

  /** What the slot tells its scheduler, on the event loop, as its state changes. */
  interface Events {
    /** Its state or model changed: a decision may now differ. */
    void changed();

    /** The server for {@code model} answered /health: it takes requests. */
    void ready(ModelSpec model);

    /** The load of {@code model} cannot succeed; the slot is stopping what runs and turns FAILED. */
    void failed(ModelSpec model, String reason);
  }

  private static final long HEALTH_POLL_MS = 100;
  private static final long HEALTH_REQUEST_MS = 2000;

  private final Integer gpu;
  private final Context context;
  private final AgentConfig.LlamaServer settings;
  private final ServerLauncher launcher;
  private final HttpClient health;
  private final Events events;
  private final JsonLog log;

  private State state = State.EMPTY;
  /** The model of {@link #process}, or the one being loaded or restarted. */
  private ModelSpec serving;
  /** While DRAINING or STOPPING for a switch: the model loaded next. */
  private ModelSpec next;
  private ServerProcess process;
  private Future<ServerProcess> launching;
  private String error;
  private int inFlight;
  private long lastUsedNanos = System.nanoTime();
  private long loadStartedNanos;
  private int loads;
  private int restarts;
  private int crashesInRow;
  /** The one timer a state needs: the ready deadline, the restart backoff or the idle unload. */
  private long timer = -1;
  private boolean closed;

  GpuSlot(Integer gpu, Context context, AgentConfig.LlamaServer settings, ServerLauncher launcher, HttpClient health,
      Events events, JsonLog log) {
    this.gpu = gpu;
    this.context = context;
    this.settings = settings;
    this.launcher = launcher;
    this.health = health;
    this.events = events;
    this.log = log;
  }

  /** The GPU index, or null for the CPU slot. */
  Integer gpu() {
    return gpu;
  }

  State state() {
    return state;
  }

  int inFlight() {
    return inFlight;
  }

  /** What {@link GpuPolicy} decides on. */
  GpuPolicy.GpuView view() {
    return new GpuPolicy.GpuView(gpu, state, serving, next, inFlight, lastUsedNanos, closed);
  }

  /** Admits one request to the ready server; pair with exactly one {@link #release()}. */
  int acquire() {
    inFlight++;
    lastUsedNanos = System.nanoTime();
    cancelTimer();
    return process.port();
  }

  void release() {
    inFlight--;
    lastUsedNanos = System.nanoTime();
    if (inFlight == 0 && state == State.DRAINING) {
      stopThenLoadNext();
    } else if (inFlight == 0 && state == State.READY) {
      armIdleUnload();
    }
  }

  /** Starts the switch to {@code model}; requests in flight on the current server finish first. */
  void switchTo(ModelSpec model) {
    if (state != State.READY) {
      load(model);
      return;
    }
    cancelTimer();
    next = model;
    state = State.DRAINING;
    log.info("server_switch", null, "gpu", gpu, "from", serving.modelId(), "to", model.modelId(),
        "draining", inFlight);
    if (inFlight == 0) {
      stopThenLoadNext();
    } else {
      events.changed();
    }
  }

  /** The model this slot holds left the config: requests in flight finish, then the server stops. */
  void retire() {
    if (state != State.READY) {
      return;
    }
    cancelTimer();
    next = null;
    state = State.DRAINING;
    log.info("server_retire", "model removed from the config: its server stops once its requests finish", "gpu", gpu,
        "model", serving.modelId(), "draining", inFlight);
    if (inFlight == 0) {
      stopThenLoadNext();
    } else {
      events.changed();
    }
  }

  /** Stops the server, then loads the next model, or leaves the slot empty when there is none (a retired model). */
  private void stopThenLoadNext() {
    state = State.STOPPING;
    events.changed();
    stopProcess().onComplete(stopped -> {
      ModelSpec model = next;
      next = null;
      if (closed) {
        return;
      }
      if (model != null) {
        load(model);
      } else {
        state = State.EMPTY;
        serving = null;
        events.changed();
      }
    });
  }

  private void load(ModelSpec model) {
    cancelTimer();
    if (!model.equals(serving)) {
      // Crashes in a row are the previous model's: the backoff of a new one starts over.
      crashesInRow = 0;
    }
    state = State.LOADING;
    serving = model;
    error = null;
    loads++;
    loadStartedNanos = System.nanoTime();
    events.changed();
    launching = launcher.launch(model, gpu);
    launching.onComplete(launched -> {
      launching = null;
      if (launched.failed()) {
        fail(model, "cannot start " + settings.binary() + ": " + launched.cause().getMessage());
        return;
      }
      process = launched.result();
      if (closed) {
        return;
      }
      ServerProcess started = process;
      started.exited().onSuccess(code -> exited(started, code));
      log.info("server_starting", null, "gpu", gpu, "model", model.modelId(), "port", started.port(),
          "pid", started.pid());
      timer = context.owner().setTimer(settings.readyTimeout().toMillis(), id -> {
        timer = -1;
        fail(model, "llama-server did not report ready on /health within "
            + Seconds.format(settings.readyTimeout()) + "; output: " + started.outputTail());
      });
      pollHealth(started);
    });
  }

  private void pollHealth(ServerProcess started) {
    if (process != started || state != State.LOADING) {
      return;
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(ServerProcess.LOOPBACK)
        .setPort(started.port()).setURI("/health").setConnectTimeout(HEALTH_REQUEST_MS)
        .setIdleTimeout(HEALTH_REQUEST_MS);
    health.request(options).compose(HttpClientRequest::send)
        .compose(response -> response.body().map(body -> response.statusCode()))
        .onComplete(answer -> {
          if (process != started || state != State.LOADING) {
            return;
          }
          if (answer.succeeded() && answer.result() == 200) {
            ready();
          } else {
            context.owner().setTimer(HEALTH_POLL_MS, id -> pollHealth(started));
          }
        });
  }

  private void ready() {
    cancelTimer();
    state = State.READY;
    lastUsedNanos = System.nanoTime();
    log.info("server_ready", null, "gpu", gpu, "model", serving.modelId(), "port", process.port(),
        "pid", process.pid(), "load_ms", (System.nanoTime() - loadStartedNanos) / 1_000_000);
    armIdleUnload();
    events.ready(serving);
  }

  /** The load cannot succeed: stop whatever runs (a GPU holds one server at a time), then report FAILED. */
  private void fail(ModelSpec model, String reason) {
    cancelTimer();
    state = State.STOPPING;
    log.error("server_failed", reason, "gpu", gpu, "model", model.modelId());
    events.failed(model, reason);
    stopProcess().onComplete(stopped -> {
      if (!closed) {
        state = State.FAILED;
        error = reason;
        events.changed();
      }
    });
  }

  /** The process ended without being asked to. */
  private void exited(ServerProcess ended, int code) {
    if (ended != process || ended.stopRequested()) {
      return;
    }
    process = null;
    String reason = "llama-server exited with code " + code + "; output: " + ended.outputTail();
    switch (state) {
      case LOADING -> fail(serving, reason + " (while loading)");
      case READY -> restartAfterCrash(ended, reason);
      case DRAINING -> {
        // The switch was going to stop it anyway; requests still counted in flight fail and release.
        log.warn("server_crashed", reason, "gpu", gpu, "model", serving.modelId());
        if (inFlight == 0) {
          stopThenLoadNext();
        }
      }
      default -> { }
    }
  }

  private void restartAfterCrash(ServerProcess ended, String reason) {
    restarts++;
    crashesInRow = GpuPolicy.crashesInRow(crashesInRow, ended.uptime());
    Duration delay = GpuPolicy.restartDelay(settings.restartBackoff(), crashesInRow);
    log.warn("server_crashed", reason, "gpu", gpu, "model", serving.modelId(), "restarts", restarts,
        "restart_in_ms", delay.toMillis());
    cancelTimer();
    state = State.RESTARTING;
    ModelSpec model = serving;
    timer = context.owner().setTimer(delay.toMillis(), id -> {
      timer = -1;
      load(model);
    });
    events.changed();
  }

  private void armIdleUnload() {
    if (settings.idleUnload() == null || closed) {
      return;
    }
    cancelTimer();
    timer = context.owner().setTimer(settings.idleUnload().toMillis(), id -> {
      timer = -1;
      if (state == State.READY && inFlight == 0) {
        log.info("server_idle_unload", null, "gpu", gpu, "model", serving.modelId(),
            "idle_s", settings.idleUnload().toSeconds());
        state = State.STOPPING;
        events.changed();
        stopProcess().onComplete(stopped -> {
          state = State.EMPTY;
          serving = null;
          events.changed();
        });
      }
    });
  }

  /** Stops the server (SIGTERM, then SIGKILL after stop_timeout_s) and completes once it has exited. */
  private Future<Void> stopProcess() {
    ServerProcess stopping = process;
    if (stopping == null) {
      return Future.succeededFuture();
    }
    return stopping.stop(settings.stopTimeout()).map(code -> {
      log.info("server_stopped", null, "gpu", gpu, "model", serving == null ? null : serving.modelId(),
          "pid", stopping.pid(), "exit_code", code);
      if (process == stopping) {
        process = null;
      }
      return null;
    });
  }

  /** Stops the server for good, waiting for a launch in progress so that no process is left behind. */
  Future<Void> close() {
    closed = true;
    cancelTimer();
    Future<?> launch = launching == null ? Future.succeededFuture() : launching.otherwiseEmpty();
    return launch.compose(v -> stopProcess()).onComplete(v -> state = State.EMPTY);
  }

  private void cancelTimer() {
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
      timer = -1;
    }
  }

  /** What the inventory shows about this slot. */
  Snapshot snapshot() {
    ServerProcess running = process;
    return new Snapshot(gpu, state.name().toLowerCase(Locale.ROOT),
        serving == null ? null : serving.modelId(), next == null ? null : next.modelId(),
        running == null ? null : running.port(), running == null ? null : running.pid(),
        running == null || state != State.READY ? null : running.uptime().toSeconds(),
        restarts, loads, inFlight, error);
  }

  /**
   * @param next the model a switch in progress loads next, or null
   * @param uptimeSeconds how long the ready server has run, or null when none is ready
   * @param loads llama-server launches over the agent's life, restarts included
   * @param error why the last load failed, while FAILED
   */
  record Snapshot(Integer gpu, String state, String model, String next, Integer port, Long pid, Long uptimeSeconds,
      int restarts, int loads, int inFlight, String error) {}
}
