package dev.rolemesh.api;

import dev.rolemesh.auth.KeyCheck;
import dev.rolemesh.auth.KeyPolicy;
import dev.rolemesh.auth.Principal;
import dev.rolemesh.http.ApiError;
import dev.rolemesh.http.BodyBudget;
import dev.rolemesh.observability.AccessLog;
import dev.rolemesh.observability.RequestIds;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Per-request facts gathered along the path and written as the one access-log line when the response ends (or the
 * client leaves). The first route handler creates it, so every request is logged, including rejected ones.
 *
 * <p>It also guarantees the end of every request: whatever a handler or a {@link #guard guarded} callback throws
 * becomes one error line and a 500 (or a reset, once the answer has started), the line is still written exactly
 * once, and the request's share of the {@link BodyBudget} is given back with it.
 */
public final class RequestContext {

  private static final String KEY = "rolemesh.request";

  final String id;
  /** The gateway's state as the request arrived, used to its end whatever config is swapped in meanwhile. */
  final GatewayState state;
  final long started = System.nanoTime();
  /** The bytes of this request's body held in memory: released when the line is written. */
  final BodyBudget.Reservation body;
  String alias;
  String upstream;
  boolean stream;
  long bytes;
  long ttfbNanos = -1;
  int attempts;
  String error;
  String node;
  /** The fallback alias the request went to instead of {@link #alias}, or null. */
  String servedBy;
  String run;
  long inputTokens = -1;
  long outputTokens = -1;
  /** Time spent in the role's queue, -1 when the request never queued. */
  long queueNanos = -1;
  /** The status to log when the client never got one (it left first: 499). */
  int unsentStatus;
  /** The caller's key policy once it admitted the request: told when the request ends. */
  KeyPolicy admittedBy;
  /** Exchanges still to report (bytes, errors) after the response may have ended. */
  private int holds;
  private boolean ended;
  private boolean written;
  /** Why the gateway's shutdown cut the request, which outranks whatever the exchange then reported. */
  private String cutBy;
  private final RoutingContext ctx;
  /** The event loop's requests in flight, which hold this one until its line is written. */
  private final Set<RequestContext> inFlight;

  private RequestContext(String id, GatewayState state, RoutingContext ctx, BodyBudget budget,
      Set<RequestContext> inFlight) {
    this.id = id;
    this.state = state;
    this.ctx = ctx;
    this.body = budget.open();
    this.inFlight = inFlight;
  }

  /** @param inFlight the event loop's requests, so that a stopping gateway can wait for them or cut them */
  static void attach(RoutingContext ctx, GatewayState state, BodyBudget budget, Set<RequestContext> inFlight) {
    RequestContext request = new RequestContext(
        RequestIds.honourOrCreate(ctx.request().getHeader(RequestIds.HEADER)), state, ctx, budget, inFlight);
    inFlight.add(request);
    ctx.put(KEY, request);
    ctx.response().putHeader(RequestIds.HEADER, request.id);
    if (state.draining()) {
      // The port is closed: a client that goes on sending here should reconnect (to another gateway).
      ctx.response().putHeader("Connection", "close");
    }
    ctx.addEndHandler(done -> {
      request.ended = true;
      if (done.failed() && !ctx.response().ended() && !ctx.response().closed()) {
        // An error on the connection (like broken chunk framing) reaches the response before the body reader,
        // which answers it in this same turn: the line waits for that answer.
        ctx.vertx().runOnContext(v -> request.writeIfDone());
      } else {
        request.writeIfDone();
      }
    });
    ctx.next();
  }

  /** Keeps the line open until {@link #release()}: the proxy reports bytes and errors after the response ended. */
  void hold() {
    holds++;
  }

  void release() {
    if (holds > 0) {
      holds--;
    }
    writeIfDone();
  }

  /**
   * The callback, made safe: if it throws, the request fails as in {@link #failed} instead of the exception
   * vanishing into a future and leaving the client without an answer.
   */
  <T> Handler<T> guard(Handler<T> callback) {
    return value -> {
      try {
        callback.handle(value);
      } catch (RuntimeException | Error e) {
        failed(e);
      }
    };
  }

  /**
   * A bug ends the request: one error line with the request id (no stack trace on stderr), a plain 500 when nothing
   * was sent yet or a reset of the half-sent answer, and the access-log line. Holds are dropped: no exchange of this
   * request is going to report any more.
   */
  void failed(Throwable failure) {
    StackTraceElement[] trace = failure.getStackTrace();
    state.log().error("internal_error", String.valueOf(failure), "request_id", id, "path", ctx.request().path(),
        "at", trace.length == 0 ? null : trace[0].toString());
    error = String.valueOf(failure);
    holds = 0;
    if (ctx.response().headWritten()) {
      if (!ctx.response().ended() && !ctx.response().closed()) {
        ctx.response().reset();
      }
    } else {
      ApiError.internal("Internal gateway error; see the gateway log for request " + id).send(ctx);
    }
    writeIfDone();
  }

  /** Ends the request by closing its connection, logged as cut by the gateway; returns its id. */
  String cut(String reason) {
    cutBy = reason;
    ctx.request().connection().close();
    return id;
  }

  static RequestContext of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  private void writeIfDone() {
    if (!ended || holds > 0 || written) {
      return;
    }
    written = true;
    inFlight.remove(this);
    body.release();
    if (admittedBy != null) {
      admittedBy.finished(Math.max(0, inputTokens) + Math.max(0, outputTokens));
    }
    state.exchanges().exchanged(entry());
  }

  private AccessLog.Entry entry() {
    double durationMs = (System.nanoTime() - started) / 1e6;
    int status = !ctx.response().headWritten() && unsentStatus != 0 ? unsentStatus : ctx.response().getStatusCode();
    Principal principal = KeyCheck.principal(ctx);
    return new AccessLog.Entry(id, ctx.request().method().name(), ctx.request().path(), alias, upstream, status,
        round(durationMs), ttfbNanos < 0 ? -1 : round(ttfbNanos / 1e6), bytes, stream, attempts,
        cutBy != null ? cutBy : error, node, principal == null ? null : principal.keyName(), run, inputTokens,
        outputTokens, servedBy, queueNanos < 0 ? -1 : round(queueNanos / 1e6));
  }

  private static double round(double ms) {
    return Math.round(ms * 100) / 100.0;
  }
}
