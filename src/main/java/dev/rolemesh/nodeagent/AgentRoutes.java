package dev.rolemesh.nodeagent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.auth.KeyAuthenticator;
import dev.rolemesh.auth.KeyCheck;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.http.ApiError;
import dev.rolemesh.http.BodyBudget;
import dev.rolemesh.http.BodyReader;
import dev.rolemesh.http.BodyRefusals;
import dev.rolemesh.http.RequestPeek;
import dev.rolemesh.http.Responses;
import dev.rolemesh.http.Upstream;
import dev.rolemesh.metrics.Exposition;
import dev.rolemesh.observability.AccessLog;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.observability.RequestIds;
import dev.rolemesh.proxy.Failure;
import dev.rolemesh.proxy.UpstreamProxy;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.List;

/**
 * The agent's HTTP surface: its own /health, /ready, /v1/models and /v1/node/inventory, and every other
 * {@code POST /v1/*} forwarded to the llama-server holding the body's {@code model}, loading it first if needed.
 * With {@code auth.api_keys} set, everything but /health and /ready needs one of them.
 */
final class AgentRoutes {

  static final long MAX_BODY_BYTES = 32L * 1024 * 1024;

  private static final String MODEL = "agent.model";
  private static final String UPSTREAM = "agent.upstream";
  private static final String STREAM = "agent.stream";

  /** Replaced by a reload (on the agent's event loop, like every read of it). */
  private AgentConfig config;
  /** The agent is stopping: /ready says so. */
  private boolean draining;
  private final ModelScheduler scheduler;
  private final UpstreamProxy proxy;
  /** Null when the agent runs without a gateway. */
  private final Registrar registrar;
  private final HostProbe host;
  private final AgentMetrics metrics;
  private final JsonLog log;
  private final AccessLog accessLog;
  private final long startedEpochSeconds = System.currentTimeMillis() / 1000;
  /** For the hop to llama-server: {@code llama_server.read_s}, no total cap (the gateway has its own). */
  private final Timeouts llamaTimeouts;
  /** Bytes of request bodies held at once, a quarter of the heap: a queue of waiters holds their bodies. */
  private final BodyBudget bodyBudget = BodyBudget.of(null);

  AgentRoutes(AgentConfig config, ModelScheduler scheduler, UpstreamProxy proxy, Registrar registrar, HostProbe host,
      AgentMetrics metrics, JsonLog log) {
    this.config = config;
    this.scheduler = scheduler;
    this.proxy = proxy;
    this.registrar = registrar;
    this.host = host;
    this.metrics = metrics;
    this.log = log;
    this.accessLog = new AccessLog(log);
    this.llamaTimeouts = new Timeouts(Timeouts.DEFAULTS.connect(), config.llamaServer().read(), null);
  }

  Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    read(router.route("/health")).handler(ctx -> Responses.json(ctx, 200, status("ok")));
    read(router.route("/ready")).handler(this::ready);
    if (!config.apiKeys().isEmpty()) {
      // Everything past the health checks: whoever holds no key must not use, load or unload models.
      KeyAuthenticator keys = KeyAuthenticator.agent(config.apiKeys());
      router.route().handler(new KeyCheck(ctx -> keys));
    }
    read(router.route("/v1/models")).handler(ctx -> Responses.json(ctx, 200,
        AgentJson.models(config, scheduler, startedEpochSeconds)));
    read(router.route("/v1/node/inventory")).handler(ctx -> host.facts()
        .onSuccess(facts -> Responses.json(ctx, 200, AgentJson.inventory(config, scheduler, facts)))
        .onFailure(ctx::fail));
    read(router.route("/metrics")).handler(ctx -> metrics.scrape().onSuccess(text -> ctx.response()
        .putHeader("Content-Type", Exposition.CONTENT_TYPE).end(text)).onFailure(ctx::fail));
    // The body is read by forward itself, within the budget (a BodyHandler would copy it and count nothing).
    router.post("/v1/*").handler(this::forward);

    router.errorHandler(404, ctx -> ApiError.notFound("Unknown path " + ctx.request().method() + " "
        + ctx.request().path() + " on this node agent").send(ctx.response()));
    router.errorHandler(500, ctx -> {
      log.error("internal_error", String.valueOf(ctx.failure()), "path", ctx.request().path());
      ApiError.internal("Internal node agent error; see its log").send(ctx.response());
    });
    return router;
  }

  /** A GET endpoint answers HEAD too, as on the gateway: the same head, no body (Vert.x leaves it out). */
  private static Route read(Route route) {
    return route.method(HttpMethod.GET).method(HttpMethod.HEAD);
  }

  /** A reloaded config: its models are the ones requests may name from now on. */
  void reconfigure(AgentConfig next) {
    config = next;
  }

  void drain() {
    draining = true;
  }

  /** Ready once the gateway knows this node (or there is no gateway): it can load any model on demand. */
  private void ready(RoutingContext ctx) {
    if (draining) {
      ObjectNode body = status("draining");
      body.put("reason", "the node agent is shutting down");
      Responses.json(ctx, 503, body);
    } else if (registrar == null || registrar.registered()) {
      Responses.json(ctx, 200, status("ready"));
    } else {
      ObjectNode body = status("not_ready");
      body.put("reason", registrar.lastError());
      Responses.json(ctx, 503, body);
    }
  }

  private void forward(RoutingContext ctx) {
    long started = System.nanoTime();
    String requestId = RequestIds.honourOrCreate(ctx.request().getHeader(RequestIds.HEADER));
    ctx.response().putHeader(RequestIds.HEADER, requestId);
    BodyBudget.Reservation reservation = bodyBudget.open();
    // A forwarded request is logged when its exchange ends: a client that leaves mid-stream ends the response
    // before the proxy has counted what it relayed.
    ctx.addEndHandler(done -> {
      if (ctx.get(UPSTREAM) == null) {
        reservation.release();
        writeAccessLog(ctx, requestId, started, null);
      }
    });
    BodyReader.read(ctx.request(), MAX_BODY_BYTES, reservation).onComplete(guard(ctx, read -> {
      if (read.failed()) {
        ApiError error = BodyRefusals.answer(ctx.request(), (BodyReader.Refused) read.cause(),
            "the node agent's limit", "the node agent's in-flight body budget, a quarter of its heap");
        if (error != null) {
          error.send(ctx.response());
        }
      } else if (!ctx.response().closed()) {
        schedule(ctx, requestId, started, read.result(), reservation);
      }
    }));
  }

  private void schedule(RoutingContext ctx, String requestId, long started, Buffer body,
      BodyBudget.Reservation reservation) {
    RequestPeek peek;
    try {
      peek = RequestPeek.of(body);
    } catch (RequestPeek.Invalid invalid) {
      ApiError.invalidRequest(invalid.getMessage(), invalid.param()).send(ctx.response());
      return;
    }
    ModelSpec model = modelFor(peek.model());
    if (model == null) {
      modelError(peek.model()).send(ctx.response());
      return;
    }
    ctx.put(MODEL, model.modelId());
    ctx.put(STREAM, peek.stream());
    long waitStarted = System.nanoTime();
    ModelScheduler.Waiter waiter = scheduler.acquire(model);
    boolean waits = !waiter.lease().isComplete();
    ctx.response().closeHandler(v -> waiter.cancel());
    waiter.lease().onComplete(guard(ctx, granted -> {
      if (waits) {
        metrics.waited(model.modelId(), System.nanoTime() - waitStarted, granted.succeeded());
      }
      if (ctx.response().closed()) {
        if (granted.succeeded()) {
          granted.result().release();
        }
        return;
      }
      if (granted.failed()) {
        ModelScheduler.Unavailable why = (ModelScheduler.Unavailable) granted.cause();
        ctx.response().putHeader("Retry-After", String.valueOf(why.retryAfterSeconds()));
        ApiError.unavailable(why.getMessage()).send(ctx.response());
        return;
      }
      ModelScheduler.Lease lease = granted.result();
      Upstream upstream = new Upstream(URI.create("http://" + ServerProcess.LOOPBACK + ":" + lease.port()),
          model.modelId(), null, llamaTimeouts, null);
      ctx.put(UPSTREAM, upstream.toString());
      proxy.forward(ctx.request(), ctx.normalizedPath(), upstream, body, requestId, started).onSuccess(outcome -> {
        // Released first: nothing below may keep the slot or the budget from the end of the exchange.
        lease.release();
        reservation.release();
        Failure failure = outcome.failure();
        try {
          if (failure != null && !outcome.responded() && failure.kind() != Failure.Kind.CLIENT_GONE) {
            String message = "llama-server for '" + model.modelId() + "' failed: " + failure.detail();
            (failure.kind().status() == 504 ? ApiError.gatewayTimeout(message) : ApiError.badGateway(message))
                .send(ctx.response());
          }
        } finally {
          writeAccessLog(ctx, requestId, started, outcome);
        }
      });
    }));
  }

  /**
   * The callback, made safe: what it throws is logged as one line and answered with a 500 (or a reset, once the
   * answer started), instead of vanishing into a future and leaving the client waiting.
   */
  private <T> Handler<T> guard(RoutingContext ctx, Handler<T> callback) {
    return value -> {
      try {
        callback.handle(value);
      } catch (RuntimeException | Error e) {
        log.error("internal_error", String.valueOf(e), "path", ctx.request().path());
        if (ctx.response().headWritten()) {
          ctx.response().reset();
        } else {
          ApiError.internal("Internal node agent error; see its log").send(ctx.response());
        }
      }
    };
  }

  /** The body's model; a node with a single model also takes requests that name none. */
  private ModelSpec modelFor(String requested) {
    if (requested == null) {
      return config.models().size() == 1 ? config.models().getFirst() : null;
    }
    return config.model(requested);
  }

  private ApiError modelError(String requested) {
    List<String> ids = config.models().stream().map(ModelSpec::modelId).toList();
    if (requested == null) {
      return ApiError.invalidRequest("Missing 'model'; this node serves " + String.join(", ", ids), "model");
    }
    return ApiError.modelNotFound(requested, ids);
  }

  /** @param outcome the exchange with llama-server, or null when the agent answered by itself */
  private void writeAccessLog(RoutingContext ctx, String requestId, long started, UpstreamProxy.Outcome outcome) {
    double durationMs = Math.round((System.nanoTime() - started) / 1e4) / 100.0;
    double ttfbMs = outcome == null || outcome.ttfbNanos() < 0 ? -1 : Math.round(outcome.ttfbNanos() / 1e4) / 100.0;
    // Without an answer sent, the status still set on the response is the default 200: the client left first.
    int status = outcome != null ? outcome.status() : ctx.response().headWritten() ? ctx.response().getStatusCode()
        : Failure.Kind.CLIENT_GONE.status();
    accessLog.write(new AccessLog.Entry(requestId, ctx.request().method().name(), ctx.request().path(),
        ctx.get(MODEL), ctx.get(UPSTREAM), status,
        durationMs, ttfbMs, outcome == null ? 0 : outcome.bytes(), Boolean.TRUE.equals(ctx.get(STREAM)), 1,
        outcome == null || outcome.failure() == null ? null : outcome.failure().detail()));
  }

  private static ObjectNode status(String status) {
    ObjectNode body = Responses.object();
    body.put("status", status);
    return body;
  }
}
