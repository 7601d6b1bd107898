package dev.rolemesh.api;

import dev.rolemesh.auth.KeyCheck;
import dev.rolemesh.auth.KeyPolicy;
import dev.rolemesh.auth.Principal;
import dev.rolemesh.observability.AccessLog;
import dev.rolemesh.observability.RequestIds;
import io.vertx.ext.web.RoutingContext;

/**
 * Per-request facts gathered along the path and written as the one access-log line when the response ends (or the
 * client leaves). The first route handler creates it, so every request is logged, including rejected ones.
 */
public final class RequestContext {

  private static final String KEY = "rolemesh.request";

  final String id;
  /** The gateway's state as the request arrived, used to its end whatever config is swapped in meanwhile. */
  final GatewayState state;
  final long started = System.nanoTime();
  String alias;
  String upstream;
  boolean stream;
  long bytes;
  long ttfbNanos = -1;
  int attempts;
  String error;
  String node;
  String run;
  long inputTokens = -1;
  long outputTokens = -1;
  /** The status to log when the client never got one (it left first: 499). */
  int unsentStatus;
  /** The caller's key policy once it admitted the request: told when the request ends. */
  KeyPolicy admittedBy;
  /** The line is written when the response has ended and every exchange holding it has reported. */
  private int holds = 1;
  private Runnable write;

  private RequestContext(String id, GatewayState state) {
    this.id = id;
    this.state = state;
  }

  static void attach(RoutingContext ctx, GatewayState state) {
    RequestContext request = new RequestContext(
        RequestIds.honourOrCreate(ctx.request().getHeader(RequestIds.HEADER)), state);
    request.write = () -> state.exchanges().exchanged(request.entry(ctx));
    ctx.put(KEY, request);
    ctx.response().putHeader(RequestIds.HEADER, request.id);
    ctx.addEndHandler(done -> request.release());
    ctx.next();
  }

  /** Keeps the line open until {@link #release()}: the proxy reports bytes and errors after the response ended. */
  void hold() {
    holds++;
  }

  void release() {
    if (--holds == 0) {
      if (admittedBy != null) {
        admittedBy.finished(Math.max(0, inputTokens) + Math.max(0, outputTokens));
      }
      write.run();
    }
  }

  static RequestContext of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  private AccessLog.Entry entry(RoutingContext ctx) {
    double durationMs = (System.nanoTime() - started) / 1e6;
    int status = !ctx.response().headWritten() && unsentStatus != 0 ? unsentStatus : ctx.response().getStatusCode();
    Principal principal = KeyCheck.principal(ctx);
    return new AccessLog.Entry(id, ctx.request().method().name(), ctx.request().path(), alias, upstream, status,
        round(durationMs), ttfbNanos < 0 ? -1 : round(ttfbNanos / 1e6), bytes, stream, attempts, error,
        node, principal == null ? null : principal.keyName(), run, inputTokens, outputTokens);
  }

  private static double round(double ms) {
    return Math.round(ms * 100) / 100.0;
  }
}
