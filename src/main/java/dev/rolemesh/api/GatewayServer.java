package dev.rolemesh.api;

import dev.rolemesh.auth.ApiKeys;
import dev.rolemesh.availability.RoleAvailability;
import dev.rolemesh.availability.UpstreamProbe;
import dev.rolemesh.body.BodyBudget;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.config.UpstreamUrls;
import dev.rolemesh.observability.AccessLog;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.proxy.UpstreamClients;
import dev.rolemesh.registry.NodeRegistry;
import dev.rolemesh.registry.RegistrySettings;
import dev.rolemesh.routing.BackendChooser;
import dev.rolemesh.routing.RoleTable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running gateway: one {@link GatewayVerticle} per event loop, all listening on the same port. The first one binds
 * (which resolves port 0 to a real port) and the rest join it on that port.
 */
public final class GatewayServer {

  private final Vertx vertx;
  private final String deploymentId;
  private final String restDeploymentId;
  private final int port;
  private final GatewayServices services;

  private GatewayServer(Vertx vertx, String first, String rest, int port, GatewayServices services) {
    this.vertx = vertx;
    this.deploymentId = first;
    this.restDeploymentId = rest;
    this.port = port;
    this.services = services;
  }

  /** A gateway whose node registry lives in memory only, with the default stale timeout. */
  public static Future<GatewayServer> start(Vertx vertx, GatewayConfig config, JsonLog log) {
    return start(vertx, config, log, RegistrySettings.inMemory());
  }

  /** @param registry where registered nodes are saved and when they go stale (from the environment, via the CLI) */
  public static Future<GatewayServer> start(Vertx vertx, GatewayConfig config, JsonLog log,
      RegistrySettings registry) {
    // Restoring the registry reads a file: on a worker, never on an event loop.
    return vertx.executeBlocking(() -> NodeRegistry.open(registry, log))
        .compose(nodes -> deploy(vertx, config, services(vertx, config, log, nodes)));
  }

  private static Future<GatewayServer> deploy(Vertx vertx, GatewayConfig config, GatewayServices services) {
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    AtomicReference<GatewayVerticle> first = new AtomicReference<>();
    BodyBudget bodyBudget = BodyBudget.of(config.gateway().maxInflightBodyBytes());
    // Vert.x never shares a server bound to port 0 (the others would then fail to bind the port it got); servers
    // asking for -1 share one random port.
    int listen = config.gateway().port() == 0 ? -1 : config.gateway().port();
    return vertx.deployVerticle(() -> {
          first.set(new GatewayVerticle(services, bodyBudget, listen));
          return first.get();
        }, new DeploymentOptions())
        .compose(firstId -> {
          int port = first.get().actualPort();
          if (loops == 1) {
            return Future.succeededFuture(new GatewayServer(vertx, firstId, null, port, services));
          }
          return vertx.deployVerticle(() -> new GatewayVerticle(services, bodyBudget, listen),
                  new DeploymentOptions().setInstances(loops - 1))
              .map(restId -> new GatewayServer(vertx, firstId, restId, port, services));
        });
  }

  private static GatewayServices services(Vertx vertx, GatewayConfig config, JsonLog log, NodeRegistry nodes) {
    RoleTable roles = new RoleTable(config);
    BackendChooser chooser = new BackendChooser(nodes);
    UpstreamProbe probe = new UpstreamProbe(
        UpstreamClients.create(vertx, "rolemesh-probe", config.gateway().probeTimeout()),
        config.gateway().probeTimeout(),
        config.gateway().probeCacheTtl());
    return new GatewayServices(config, roles, chooser, new RoleAvailability(chooser, probe),
        new ApiKeys(config.auth().clientApiKeys()), new ApiKeys(config.auth().nodeApiKeys()), log,
        new AccessLog(log), System.currentTimeMillis() / 1000, nodes,
        "1.1 rolemesh-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()));
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return UpstreamUrls.localUrl(services.config().gateway().host(), port);
  }

  public GatewayServices services() {
    return services;
  }

  public Future<Void> close() {
    Future<Void> rest = restDeploymentId == null ? Future.succeededFuture() : vertx.undeploy(restDeploymentId);
    return rest.compose(v -> vertx.undeploy(deploymentId))
        .compose(v -> vertx.executeBlocking(() -> {
          services.nodes().close();
          return null;
        }));
  }
}
