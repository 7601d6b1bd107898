package dev.rolemesh.cli;

import dev.rolemesh.api.GatewayServer;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.lifecycle.Reloader;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.registry.RegistrySettings;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;

/** Starts a gateway for a command, says where it listens and what it routes, and keeps it up until stopped. */
final class GatewayRunner {

  private GatewayRunner() {}

  static GatewayConfig withListen(GatewayConfig config, String host, Integer port) {
    if (host == null && port == null) {
      return config;
    }
    var gateway = config.gateway().withListen(
        host != null ? host : config.gateway().host(), port != null ? port : config.gateway().port());
    return new GatewayConfig(config.version(), config.defaultModel(), gateway, config.auth(), config.models(),
        config.source());
  }

  /**
   * Serves until stopped (reloading the config on SIGHUP and, when {@code watched} names files, when they change);
   * returns 1 with one line when the gateway cannot start (e.g. port taken).
   *
   * @param source reads the config again for a reload, from the same files, environment and flags
   */
  static int serve(GatewayConfig config, Reloader.Source<GatewayConfig> source, List<Path> watched,
      RegistrySettings registry, JsonLog log) throws InterruptedException, IOException {
    Vertx vertx = VertxRuntime.create();
    GatewayServer server;
    try {
      server = start(vertx, config, registry, log);
    } catch (Exception e) {
      log.flush();
      System.err.println("rolemesh: " + Listening.failure(config.gateway().host(), config.gateway().port(), e));
      vertx.close();
      return 1;
    }
    GatewayLifecycle.serveUntilStopped(server, source, watched, log);
    try {
      // Closing the server also writes the registry's last change to disk.
      VertxRuntime.await(server.close());
      VertxRuntime.await(vertx.close());
    } catch (Exception e) {
      log.error("stop_failed", "gateway did not stop cleanly: " + e.getMessage());
    }
    log.info("stopped", "RoleMesh gateway stopped");
    log.flush();
    return 0;
  }

  static GatewayServer start(Vertx vertx, GatewayConfig config, RegistrySettings registry, JsonLog log)
      throws Exception {
    GatewayServer server = VertxRuntime.await(GatewayServer.start(vertx, config, log, registry));
    announce(vertx, server, config, log);
    log.info("registry", "node registry " + (registry.stateDir() == null ? "in memory" : "saved in "
        + registry.stateDir().resolve("registry.json")) + "; nodes go stale after "
        + registry.staleAfter().toMillis() / 1000.0 + "s without a heartbeat",
        "state_dir", registry.stateDir() == null ? null : registry.stateDir().toString(),
        "stale_after_s", registry.staleAfter().toMillis() / 1000.0);
    return server;
  }

  private static void announce(Vertx vertx, GatewayServer server, GatewayConfig config, JsonLog log) {
    log.info("listening", "RoleMesh gateway listening on " + server.baseUrl(),
        "url", server.baseUrl(), "native_transport", vertx.isNativeTransportEnabled(),
        "config", config.source() == null ? "built in" : config.source().toString());
    for (ModelConfig model : config.models().values()) {
      String route = switch (model.target()) {
        case ModelTarget.Proxy proxy -> "proxy " + proxy.baseUrl();
        case ModelTarget.Discovered discovered ->
            "discovered role '" + discovered.role() + "' (" + discovered.strategy().configName() + ")";
      };
      boolean isDefault = model.alias().equals(config.defaultModel());
      String fallbacks = model.fallbacks().isEmpty() ? "" : ", falls back to " + String.join(", ", model.fallbacks());
      log.info("role", model.alias() + " -> " + route + fallbacks + (isDefault ? " (default)" : ""),
          "alias", model.alias(), "route", route, "default", isDefault,
          "fallbacks", model.fallbacks().isEmpty() ? null : model.fallbacks());
    }
    boolean discovered = config.models().values().stream()
        .anyMatch(model -> model.target() instanceof ModelTarget.Discovered);
    if (!isLoopback(config.gateway().host()) && discovered && config.auth().nodeApiKeys().isEmpty()) {
      log.warn("nodes_without_keys", "WARNING: listening on non-loopback address " + config.gateway().host()
          + " with discovered roles and no auth.node_api_keys: anyone who can reach this port can register a node"
          + " and receive those roles' traffic. Set node keys.");
    }
    if (!isLoopback(config.gateway().host()) && config.auth().clientKeys().isEmpty()) {
      log.warn("exposed_without_keys", "WARNING: listening on non-loopback address " + config.gateway().host()
          + " with no auth.client_api_keys: anyone who can reach this port can use every model. Set client keys"
          + " or bind 127.0.0.1.");
    }
  }

  /** Whether only this machine can reach a server bound to {@code host}. */
  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
