package dev.rolemesh.api;

import dev.rolemesh.admission.Queues;
import dev.rolemesh.auth.Authenticator;
import dev.rolemesh.auth.ClientCertificateCheck;
import dev.rolemesh.auth.KeyAuthenticator;
import dev.rolemesh.availability.RoleAvailability;
import dev.rolemesh.availability.UpstreamProbe;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.config.ServerSettings;
import dev.rolemesh.config.ServerTls;
import dev.rolemesh.config.UpstreamUrls;
import dev.rolemesh.http.BodyBudget;
import dev.rolemesh.observability.ExchangeListener;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.proxy.UpstreamClients;
import dev.rolemesh.registry.NodeRegistry;
import dev.rolemesh.registry.NodeStore;
import dev.rolemesh.registry.RegistrySettings;
import dev.rolemesh.routing.BackendChooser;
import dev.rolemesh.routing.RoleTable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A running gateway: one {@link GatewayVerticle} per event loop, all listening on the same port. The first one binds
 * (which resolves port 0 to a real port) and the rest join it on that port. They share one {@link GatewayState},
 * held here: {@link #reload} swaps in a new config, {@link #drain} stops the gateway without cutting what it serves.
 */
public final class GatewayServer {

  private final Vertx vertx;
  private final String deploymentId;
  private final String restDeploymentId;
  private final int port;
  private final AtomicReference<GatewayState> state;
  private final List<GatewayVerticle> loops;
  private final LongSupplier limitsClock;
  private final BodyBudget bodyBudget;
  /** Reloads refused (an invalid config) since start, for /metrics. */
  private final AtomicLong failedReloads;
  private Drain drain;

  private GatewayServer(Vertx vertx, String first, String rest, int port, AtomicReference<GatewayState> state,
      List<GatewayVerticle> loops, LongSupplier limitsClock, BodyBudget bodyBudget, AtomicLong failedReloads) {
    this.vertx = vertx;
    this.deploymentId = first;
    this.restDeploymentId = rest;
    this.port = port;
    this.state = state;
    this.loops = loops;
    this.limitsClock = limitsClock;
    this.bodyBudget = bodyBudget;
    this.failedReloads = failedReloads;
  }

  /** A gateway whose node registry lives in memory only, with the default stale timeout. */
  public static Future<GatewayServer> start(Vertx vertx, GatewayConfig config, JsonLog log) {
    return start(vertx, config, log, RegistrySettings.inMemory());
  }

  /** @param registry where registered nodes are saved and when they go stale (from the environment, via the CLI) */
  public static Future<GatewayServer> start(Vertx vertx, GatewayConfig config, JsonLog log,
      RegistrySettings registry) {
    return start(vertx, config, log, registry, System::nanoTime);
  }

  /** @param limitsClock monotonic nanoseconds for the client keys' rate limits (tests pass one they move) */
  public static Future<GatewayServer> start(Vertx vertx, GatewayConfig config, JsonLog log,
      RegistrySettings registry, LongSupplier limitsClock) {
    // Restoring the registry reads a file: on a worker, never on an event loop.
    return vertx.executeBlocking(() -> NodeRegistry.open(registry, log)).compose(nodes -> {
      AtomicReference<GatewayState> state = new AtomicReference<>();
      AtomicLong failedReloads = new AtomicLong();
      Telemetry telemetry = Telemetry.create(log, config.gateway().metrics(), () -> state.get().version() - 1,
          failedReloads::get);
      state.set(first(vertx, config, log, nodes, telemetry, limitsClock));
      return deploy(vertx, config, state, telemetry, limitsClock, failedReloads);
    });
  }

  private static Future<GatewayServer> deploy(Vertx vertx, GatewayConfig config,
      AtomicReference<GatewayState> state, Telemetry telemetry, LongSupplier limitsClock, AtomicLong failedReloads) {
    int count = Math.max(1, Runtime.getRuntime().availableProcessors());
    List<GatewayVerticle> loops = new CopyOnWriteArrayList<>();
    // One budget for the process's life, whatever config versions come: it counts bytes, not settings.
    BodyBudget bodyBudget = BodyBudget.of(config.gateway().maxInflightBodyBytes());
    // Vert.x never shares a server bound to port 0 (the others would then fail to bind the port it got); servers
    // asking for -1 share one random port.
    int listen = config.gateway().port() == 0 ? -1 : config.gateway().port();
    return vertx.deployVerticle(() -> added(loops, new GatewayVerticle(state, bodyBudget, listen, telemetry)),
            new DeploymentOptions())
        .compose(firstId -> {
          int port = loops.getFirst().actualPort();
          if (count == 1) {
            return Future.succeededFuture(new GatewayServer(vertx, firstId, null, port, state, loops, limitsClock, bodyBudget,
                failedReloads));
          }
          return vertx.deployVerticle(() -> added(loops, new GatewayVerticle(state, bodyBudget, listen, telemetry)),
                  new DeploymentOptions().setInstances(count - 1))
              .map(restId -> new GatewayServer(vertx, firstId, restId, port, state, loops, limitsClock,
                  bodyBudget, failedReloads));
        });
  }

  private static GatewayVerticle added(List<GatewayVerticle> loops, GatewayVerticle loop) {
    loops.add(loop);
    return loop;
  }

  private static GatewayState first(Vertx vertx, GatewayConfig config, JsonLog log, NodeStore nodes,
      Telemetry telemetry, LongSupplier limitsClock) {
    String via = "1.1 rolemesh-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    Queues queues = new Queues();
    queues.configure(config.models().values());
    return state(1, config, probe(vertx, config.gateway()), nodes, telemetry, log,
        System.currentTimeMillis() / 1000, via, limitsClock, null, null, queues);
  }

  private static GatewayState state(long version, GatewayConfig config, UpstreamProbe probe, NodeStore nodes,
      ExchangeListener exchanges, JsonLog log, long startedEpochSeconds, String via, LongSupplier limitsClock,
      Authenticator previousClients, BackendChooser previousChooser, Queues queues) {
    RoleTable roles = new RoleTable(config);
    BackendChooser chooser = new BackendChooser(nodes, config.auth().nodeUpstreamKey(), config.gateway().nodeTls(),
        previousChooser);
    return new GatewayState(version, false, config, roles, chooser, new RoleAvailability(chooser, probe),
        KeyAuthenticator.clients(config.auth(), limitsClock, previousClients), nodeAuthenticator(config),
        KeyAuthenticator.operators(config.auth()), nodes, exchanges, log, startedEpochSeconds, via, queues);
  }

  /** Node keys, behind a client certificate when {@code gateway.tls.require_client_cert_for} names the nodes. */
  private static Authenticator nodeAuthenticator(GatewayConfig config) {
    Authenticator keys = KeyAuthenticator.nodes(config.auth());
    ServerTls tls = config.gateway().tls();
    return tls != null && tls.requiresClientCertFor(ServerTls.ClientCertScope.NODES)
        ? new ClientCertificateCheck(keys)
        : keys;
  }

  private static UpstreamProbe probe(Vertx vertx, ServerSettings settings) {
    return new UpstreamProbe(UpstreamClients.create(vertx, "rolemesh-probe", settings.probeTimeout()),
        settings.probeTimeout(), settings.probeCacheTtl());
  }

  /**
   * Swaps in a new config: requests that arrive from now on see it, those in flight finish with the state they
   * started with. The node store, the log and this gateway's identity carry over; so does the probe cache unless the
   * probe settings changed. The listen address is not touched (a change there needs a restart).
   *
   * @return the state now in force
   */
  public synchronized GatewayState reload(GatewayConfig config) {
    GatewayState current = state.get();
    ServerSettings was = current.config().gateway();
    ServerSettings now = config.gateway();
    UpstreamProbe probe = current.availability().probe();
    if (!was.probeTimeout().equals(now.probeTimeout()) || !was.probeCacheTtl().equals(now.probeCacheTtl())) {
      probe.retire(vertx);
      probe = probe(vertx, now);
    }
    GatewayState next = state(current.version() + 1, config, probe, current.nodeStore(), current.exchanges(),
        current.log(), current.startedEpochSeconds(), current.via(), limitsClock, current.clients(),
        current.chooser(), current.queues());
    // Before the swap, so a request under the new config finds its role's queue; new limits apply to those waiting
    // too (a raised max_concurrent lets some go now).
    next.queues().configure(config.models().values());
    state.set(current.draining() ? next.asDraining() : next);
    next.queues().slotFreed();
    return state.get();
  }

  /** Counts a reload refused for an invalid config (the config in force kept serving), for /metrics. */
  public void reloadFailed() {
    failedReloads.incrementAndGet();
  }

  /**
   * Stops the gateway without cutting what it serves: {@code /ready} says 503 {@code draining} at once, the port
   * stops taking connections, and requests in flight finish, up to the config's {@code shutdown_grace_s}; then the
   * rest are cut, each logged as cut by the shutdown. Calling it again returns the same drain.
   */
  public synchronized Future<Drain.Result> drain() {
    if (drain == null) {
      GatewayState draining = state.updateAndGet(GatewayState::asDraining);
      drain = Drain.start(vertx, loops, draining.config().gateway().shutdownGrace(), draining.log());
    }
    return drain.result();
  }

  /** Cuts every request still in flight now (a second stop signal), draining first if that had not begun. */
  public synchronized Future<Drain.Result> stopNow() {
    drain();
    drain.cutNow("a second stop signal");
    return drain.result();
  }

  /**
   * Reads the listener's certificate, key and client CA files again, for connections from now on (those open keep
   * theirs): how a renewed certificate is taken up without a restart. A config reload calls it after swapping the
   * state; false when the gateway listens without TLS.
   */
  public Future<Boolean> reloadCertificates() {
    ServerTls tls = state.get().config().gateway().tls();
    if (tls == null) {
      return Future.succeededFuture(false);
    }
    return Future.all(loops.stream().map(loop -> loop.updateTls(tls)).toList()).map(true);
  }

  /** The bytes of request bodies every request together holds, against {@code gateway.max_inflight_body_mb}. */
  public BodyBudget bodyBudget() {
    return bodyBudget;
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    String url = UpstreamUrls.localUrl(state.get().config().gateway().host(), port);
    return state.get().config().gateway().tls() == null ? url : "https" + url.substring("http".length());
  }

  /** The state new requests get now. */
  public GatewayState state() {
    return state.get();
  }

  public Future<Void> close() {
    Future<Void> rest = restDeploymentId == null ? Future.succeededFuture() : vertx.undeploy(restDeploymentId);
    return rest.compose(v -> vertx.undeploy(deploymentId))
        .compose(v -> vertx.executeBlocking(() -> {
          state.get().nodeStore().close();
          return null;
        }));
  }
}
