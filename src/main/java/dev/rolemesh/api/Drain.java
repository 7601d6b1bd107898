package dev.rolemesh.api;

import dev.rolemesh.config.Seconds;
import dev.rolemesh.observability.JsonLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway stopping without cutting what it serves: every event loop's server stops taking connections (closing
 * the listening port) and closes each connection once its request is answered; requests still running when the
 * grace period ends are cut by the gateway, and the log says so, so that nobody blames the backend.
 */
public final class Drain {

  /** Past the grace, Vert.x's own shutdown closes whatever our cut missed. */
  private static final Duration BACKSTOP = Duration.ofSeconds(5);

  /**
   * @param cut how many requests were still running when they were cut
   * @param took from the stop signal until the last connection closed
   */
  public record Result(int cut, Duration took) {}

  private final List<GatewayVerticle> loops;
  private final JsonLog log;
  private final long started = System.nanoTime();
  private final Promise<Result> result = Promise.promise();
  private int cut;

  private Drain(List<GatewayVerticle> loops, JsonLog log) {
    this.loops = loops;
    this.log = log;
  }

  static Drain start(Vertx vertx, List<GatewayVerticle> loops, Duration grace, JsonLog log) {
    Drain drain = new Drain(loops, log);
    Future.all(loops.stream().map(GatewayVerticle::inFlight).toList()).onComplete(counted -> {
      int inFlight = counted.result().<Integer>list().stream().mapToInt(Integer::intValue).sum();
      log.info("draining", "Draining: /ready answers 503, the port closes; " + inFlight + " request(s) in flight"
          + " get up to shutdown_grace_s=" + Seconds.format(grace) + " to finish", "in_flight", inFlight,
          "shutdown_grace_s", grace.toMillis() / 1000.0);
      List<Future<Void>> closed = loops.stream().map(loop -> loop.shutdown(grace.plus(BACKSTOP))).toList();
      long timer = vertx.setTimer(Math.max(1, grace.toMillis()),
          id -> drain.cutNow("still running after shutdown_grace_s=" + Seconds.format(grace)));
      Future.join(closed).onComplete(done -> {
        vertx.cancelTimer(timer);
        drain.finished();
      });
    });
    return drain;
  }

  Future<Result> result() {
    return result.future();
  }

  /** Cuts the requests still in flight, each logged as cut by the gateway's shutdown. */
  void cutNow(String why) {
    String reason = "cut by gateway shutdown: " + why;
    Future.all(loops.stream().map(loop -> loop.cut(reason)).toList()).onComplete(done -> {
      List<String> ids = new ArrayList<>();
      done.result().<List<String>>list().forEach(ids::addAll);
      if (!ids.isEmpty()) {
        synchronized (this) {
          cut += ids.size();
        }
        log.warn("shutdown_cut", "The gateway cut " + ids.size() + " request(s) " + why + " (the gateway stopped"
            + " them, not the backend)", "request_ids", ids);
      }
    });
  }

  private synchronized void finished() {
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    log.info("drained", "Drained in " + Seconds.format(Duration.ofMillis(took.toMillis())) + "; " + cut
        + " request(s) cut", "took_ms", took.toMillis(), "cut", cut);
    result.tryComplete(new Result(cut, took));
  }
}
