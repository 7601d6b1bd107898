package dev.rolemesh.api;

import dev.rolemesh.auth.KeyCheck;
import dev.rolemesh.config.ServerTls;
import dev.rolemesh.http.ApiError;
import dev.rolemesh.http.BodyBudget;
import dev.rolemesh.http.ConnectionGuard;
import dev.rolemesh.http.RequestPaths;
import dev.rolemesh.http.TlsOptions;
import dev.rolemesh.proxy.UpstreamClients;
import dev.rolemesh.proxy.UpstreamProxy;
import dev.rolemesh.registry.NodeRoutes;
import dev.rolemesh.registry.SlotsProbe;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One event loop's share of the gateway: its own HTTP server on the shared port and its own upstream client, so a
 * request and its upstream exchange stay on one thread. The routes read as the request path: request id, state
 * snapshot and access log, key check, body, then the endpoint.
 */
final class GatewayVerticle extends VerticleBase {

  private final AtomicReference<GatewayState> state;
  private final BodyBudget bodyBudget;
  private final int port;
  private final Telemetry telemetry;
  /** The requests this event loop is serving, so a stopping gateway can wait for them or cut them. */
  private final Set<RequestContext> inFlight = new HashSet<>();
  private HttpServer server;
  private ConnectionGuard guard;
  private HttpClient client;
  private UpstreamProxy proxy;
  /** The longest connect attempt {@link #client} allows. */
  private Duration connectBound;
  private boolean proxyReadsUsage;
  /** The state version {@link #proxy} was last checked against. */
  private long proxyVersion = -1;

  /**
   * @param state the current state, read once by each request as it arrives
   * @param bodyBudget shared by every event loop: the limit is on the bytes the whole process holds
   * @param telemetry where finished exchanges are recorded, for /metrics and the dashboard
   */
  GatewayVerticle(AtomicReference<GatewayState> state, BodyBudget bodyBudget, int port, Telemetry telemetry) {
    this.state = state;
    this.bodyBudget = bodyBudget;
    this.port = port;
    this.telemetry = telemetry;
  }

  @Override
  public Future<?> start() {
    GatewayState initial = state.get();
    proxyFor(initial);
    HttpServerOptions options = new HttpServerOptions()
        .setTcpNoDelay(true)
        // curl sends Expect: 100-continue for bodies over 1 KiB and would otherwise wait a second for it.
        .setHandle100ContinueAutomatically(true)
        // No WebSockets here: without these, every connection's pipeline carries a WebSocket extension handler.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        // No h2c: with it, Vert.x makes a connection known only once its first request head is complete, so a head
        // sent at a byte a second (slowloris) could not be timed from the connection's start (client_timeouts).
        .setHttp2ClearTextEnabled(false)
        // Every response is written on its connection's own event loop (the upstream exchange lives there too), so
        // Vert.x can skip the cross-thread write queue it otherwise keeps per connection: 4 KiB each, a sixth of
        // the heap at 9,000 streams. A write from another thread would now fail loudly instead of being queued.
        .setStrictThreadMode(true);
    ServerTls tls = initial.config().gateway().tls();
    if (tls != null) {
      TlsOptions.listen(options, tlsOptions(tls));
    }
    server = vertx.createHttpServer(options);
    // Given here rather than in the options, which reject the -1 that asks for a shared random port.
    guard = ConnectionGuard.watch(vertx, server, initial.config().gateway().clientTimeouts(),
        telemetry::connectionCut);
    return server.requestHandler(guard.around(router(initial)))
        .listen(port, initial.config().gateway().host());
  }

  /**
   * This event loop's proxy for a request under {@code current}, looked at again only when the state's version
   * changed. A TCP connect attempt is bounded by the client, so a config with a longer {@code connect_s} gets a new
   * client (the old one closes its connections as the requests on them end); one that starts or stops needing token
   * counts gets a proxy that reads them or not.
   */
  private UpstreamProxy proxyFor(GatewayState current) {
    if (current.version() == proxyVersion) {
      return proxy;
    }
    Duration longest = current.longestConnectTimeout();
    if (client == null || longest.compareTo(connectBound) > 0) {
      HttpClient retired = client;
      client = UpstreamClients.create(vertx, "rolemesh-upstream", longest);
      connectBound = longest;
      proxy = null;
      if (retired != null) {
        retired.shutdown(Duration.ofDays(1));
      }
    }
    // Token counts feed the metrics and the keys' tpm limits; without either, responses are not scanned.
    boolean readUsage = telemetry.metrics() != null
        || current.config().auth().clientKeys().stream().anyMatch(key -> key.tpm() > 0);
    if (proxy == null || readUsage != proxyReadsUsage) {
      proxy = new UpstreamProxy(vertx, client, current.via(), readUsage);
      proxyReadsUsage = readUsage;
    }
    proxyVersion = current.version();
    return proxy;
  }

  /** Stops taking connections; each one closes once its request is answered, the last ones after {@code timeout}. */
  Future<Void> shutdown(Duration timeout) {
    return server.shutdown(timeout);
  }

  /** How many requests this event loop is serving. */
  Future<Integer> inFlight() {
    return onLoop(() -> inFlight.size());
  }

  /** Cuts every request this event loop is serving, each logged with {@code reason}; returns their ids. */
  Future<List<String>> cut(String reason) {
    return onLoop(() -> List.copyOf(inFlight).stream().map(request -> request.cut(reason)).toList());
  }

  private <T> Future<T> onLoop(Supplier<T> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> result.complete(action.get()));
    return result.future();
  }

  @Override
  public Future<?> stop() {
    guard.close();
    return Future.succeededFuture();
  }

  int actualPort() {
    return server.actualPort();
  }

  /** New connections get the certificate files as they are now. */
  Future<Boolean> updateTls(ServerTls tls) {
    return server.updateSSLOptions(tlsOptions(tls), true);
  }

  // A client certificate is asked for, never demanded: clients of the inference API have none. The node routes
  // demand one through their authenticator when the config says so.
  private static ServerSSLOptions tlsOptions(ServerTls tls) {
    return TlsOptions.server(tls, false);
  }

  private Router router(GatewayState initial) {
    Router router = Router.router(vertx);
    KeyCheck clients = new KeyCheck(ctx -> RequestContext.of(ctx).state.clients());
    long maxBodyBytes = initial.config().gateway().maxBodyBytes();

    router.route().handler(ctx -> RequestContext.attach(ctx, state.get(), bodyBudget, inFlight));
    router.route().handler(GatewayVerticle::screen);
    read(router.route("/health")).handler(HealthEndpoints::health);
    read(router.route("/ready")).handler(HealthEndpoints::ready);
    read(router.route("/v1/models")).handler(clients).handler(ModelsEndpoint::list);
    read(router.routeWithRegex("/v1/models/(.+)")).handler(clients).handler(ModelsEndpoint::get);
    inference(router, "/v1/chat/completions", "messages", clients);
    inference(router, "/v1/completions", "prompt", clients);
    inference(router, "/v1/embeddings", "input", clients);
    inference(router, "/v1/messages", "messages", clients);
    inference(router, "/v1/messages/count_tokens", "messages", clients);
    inference(router, "/v1/responses", "input", clients);
    // documents may also come as TEI's "texts"; the query is what every rerank request has
    inference(router, "/v1/rerank", "query", clients);
    inference(router, "/v1/reranking", "query", clients);
    inference(router, "/v1/audio/transcriptions", null, clients);
    new ObservabilityRoutes(telemetry).mount(router);
    new NodeRoutes(initial.nodeStore(),
        ctx -> RequestContext.of(ctx).state.config().auth().nodeNetworks(), initial.log(), nodeEvents(initial))
        .mount(router,
        new KeyCheck(ctx -> RequestContext.of(ctx).state.nodes()),
        new KeyCheck(ctx -> RequestContext.of(ctx).state.operators()));

    router.errorHandler(404, ctx -> ApiError.notFound(
        "Unknown path " + ctx.request().method() + " " + ctx.request().path()).send(ctx));
    router.errorHandler(405, ctx -> {
      String allowed = RequestPaths.allowedMethods(router.getRoutes(), ctx.request().path());
      ctx.response().putHeader("Allow", allowed);
      ApiError.methodNotAllowed(ctx.request().method(), ctx.request().path(), allowed).send(ctx);
    });
    router.errorHandler(413, ctx -> ApiError.bodyTooLarge(maxBodyBytes).send(ctx));
    router.errorHandler(500, this::internalError);
    return router;
  }

  /**
   * A node without its capacity is asked for it at {@code /slots} once per registration (a node restored from the
   * state file, at its first heartbeat); any registration or heartbeat may bring free slots (a new or revived node)
   * to requests waiting in a queue.
   */
  private NodeRoutes.Listener nodeEvents(GatewayState initial) {
    SlotsProbe slots = new SlotsProbe(initial.nodeStore().probedSlots(), initial.log());
    return (ctx, node) -> {
      GatewayState now = RequestContext.of(ctx).state;
      now.queues().slotFreed();
      if (SlotsProbe.needed(node) && now.nodeStore().probedSlots().ask(node.nodeId())) {
        slots.probe(vertx, client, node, now.chooser().nodeEndpoint(node))
            .onSuccess(found -> now.queues().slotFreed());
      }
    };
  }

  /** The endpoint reads the body itself, within the body budget (a BodyHandler would copy it and count nothing). */
  private void inference(Router router, String path, String requiredField, KeyCheck clients) {
    router.post(path).handler(clients).handler(new InferenceEndpoint(this::proxyFor, state::get, requiredField));
  }

  /** A GET endpoint answers HEAD too: the same head, no body (Vert.x leaves the body out of a HEAD response). */
  static Route read(Route route) {
    return route.method(HttpMethod.GET).method(HttpMethod.HEAD);
  }

  /**
   * Before routing and before any key check: a non-canonical path (see {@link RequestPaths}), and a request that
   * came back through this gateway (the inner hop carries no client key, since keys are never forwarded, so the
   * key check would answer a misleading 401).
   */
  private static void screen(RoutingContext ctx) {
    String problem = RequestPaths.problem(ctx.request().path());
    if (problem != null) {
      new ApiError(400, "Request path " + ctx.request().path() + " is not canonical: " + problem,
          "invalid_request_error", null, "invalid_path").send(ctx);
      return;
    }
    String ours = RequestContext.of(ctx).state.via();
    for (String via : ctx.request().headers().getAll("Via")) {
      if (via.contains(ours)) {
        new ApiError(508, "Loop detected: this request already passed through this gateway (a node registered"
            + " with the gateway's own address?)", "upstream_error", null, "loop_detected").send(ctx);
        return;
      }
    }
    ctx.next();
  }

  /** A bug must not reach the client as a stack trace: the request context logs it and answers plainly. */
  private void internalError(RoutingContext ctx) {
    RequestContext request = RequestContext.of(ctx);
    Throwable failure = ctx.failure() != null ? ctx.failure() : new IllegalStateException("failed with 500");
    if (request != null) {
      request.failed(failure);
    } else {
      state.get().log().error("internal_error", String.valueOf(failure), "path", ctx.request().path());
      ApiError.internal("Internal gateway error; see the gateway log").send(ctx);
    }
  }
}
