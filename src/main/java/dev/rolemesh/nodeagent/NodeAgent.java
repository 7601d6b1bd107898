package dev.rolemesh.nodeagent;

import dev.rolemesh.config.Seconds;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.config.UpstreamUrls;
import dev.rolemesh.http.ConnectionGuard;
import dev.rolemesh.http.TlsOptions;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.proxy.UpstreamClients;
import dev.rolemesh.proxy.UpstreamProxy;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * A running node agent: one HTTP server, the llama-server processes it supervises and its link to the gateway.
 *
 * <p>Everything runs on a single event loop. The agent's throughput is bounded by the GPUs behind it, not by one
 * core relaying bytes, and one thread makes every slot's state machine and the request queue lock-free.
 */
public final class NodeAgent {

  /** What the agent adds to the Via header of requests it relays, so that the gateway can detect loops. */
  private static final String VIA = "1.1 rolemesh-node-agent";

  private final Vertx vertx;
  private final String deploymentId;
  private final AgentVerticle verticle;

  private NodeAgent(Vertx vertx, String deploymentId, AgentVerticle verticle) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.verticle = verticle;
  }

  /**
   * Kills the llama-servers a crashed run left, listens, then registers with the gateway (retrying in the background
   * while it is unreachable).
   */
  public static Future<NodeAgent> start(Vertx vertx, AgentConfig config, JsonLog log) {
    AgentVerticle verticle = new AgentVerticle(config, log);
    return vertx.deployVerticle(verticle).map(id -> new NodeAgent(vertx, id, verticle));
  }

  public int port() {
    return verticle.server.actualPort();
  }

  /** The address the gateway is given: base_url from the config, else the listen address. */
  public URI baseUrl() {
    return verticle.baseUrl;
  }

  /** Deregisters, stops every llama-server it started (SIGTERM, then SIGKILL) and closes its port. */
  public Future<Void> stop() {
    return vertx.undeploy(deploymentId);
  }

  /**
   * Puts a reloaded config's models list into force: a removed model's server drains and stops, new models are
   * advertised by re-registering at once. Other settings belong to the running agent: each one that changed is
   * logged as needing a restart.
   */
  public Future<Void> reload(AgentConfig loaded, String trigger) {
    return verticle.onLoop(() -> verticle.reload(loaded, trigger));
  }

  /**
   * Stops the agent without cutting what it serves: {@code /ready} says 503 {@code draining}, it deregisters, its
   * port closes, requests waiting for a model load get 503, and requests on a server finish, up to
   * {@code shutdown_grace_s}; then the rest are cut. {@link #stop()} then stops its servers.
   */
  public Future<Void> drain() {
    return verticle.onLoop(verticle::drain).compose(drained -> drained);
  }

  /** Cuts every request still in flight now (a second stop signal). */
  public Future<Void> stopNow() {
    return verticle.onLoop(() -> {
      verticle.cutNow();
      return null;
    });
  }

  private static final class AgentVerticle extends VerticleBase {
    /** Past the grace, Vert.x's own shutdown closes whatever is left. */
    private static final Duration BACKSTOP = Duration.ofSeconds(5);

    /** Replaced by a reload; read and written on the agent's event loop only. */
    private AgentConfig config;
    private final JsonLog log;
    private HttpServer server;
    private AgentRoutes routes;
    private Future<Void> drained;
    private ServerLauncher launcher;
    private ModelScheduler scheduler;
    private Registrar registrar;
    private HostProbe host;
    private URI baseUrl;

    AgentVerticle(AgentConfig config, JsonLog log) {
      this.config = config;
      this.log = log;
    }

    @Override
    public Future<?> start() {
      // Servers a crashed run left are killed before anything may load onto their GPUs.
      return ServerLauncher.open(context, config.stateDir(), config.llamaServer().binary(), log)
          .compose(opened -> {
            launcher = opened;
            return listen().onFailure(failed -> launcher.close());
          });
    }

    private Future<HttpServer> listen() {
      HttpClient upstream = UpstreamClients.create(vertx, "rolemesh-agent-upstream", Timeouts.DEFAULTS.connect());
      // Health polls go to a new port per load and heartbeats come seconds apart: nothing worth keeping alive.
      HttpClient control = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
          .setName("rolemesh-agent-control"));
      host = new HostProbe(context, () -> HostFacts.probe(config.nvidiaSmi()), HostProbe.FRESH_FOR);
      scheduler = new ModelScheduler(context, config, launcher, control, log, this::loadedModelsChanged);
      if (config.gateway() != null) {
        registrar = new Registrar(context, control, config.gateway(), config.nodeId(),
            () -> AgentJson.registration(this.config, baseUrl, scheduler, host.latest()),
            () -> AgentJson.heartbeat(this.config, scheduler), log);
      }
      HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port())
          .setTcpNoDelay(true)
          // No h2c, as on the gateway: client_timeouts must see a connection before its first head is complete.
          .setHttp2ClearTextEnabled(false);
      if (config.tls() != null) {
        // With a client CA, the handshake itself refuses callers without a certificate from it (mTLS).
        TlsOptions.listen(options, TlsOptions.server(config.tls(), true));
      }
      server = vertx.createHttpServer(options);
      AgentMetrics metrics = new AgentMetrics(scheduler, control);
      ConnectionGuard guard = ConnectionGuard.watch(vertx, server, config.clientTimeouts(), metrics::connectionCut);
      routes = new AgentRoutes(config, scheduler, new UpstreamProxy(vertx, upstream, VIA, false), registrar, host,
          metrics, log);
      server.requestHandler(guard.around(routes.router(vertx)));
      return server.listen().onSuccess(listening -> {
        String plain = UpstreamUrls.localUrl(config.host(), listening.actualPort());
        String listen = config.tls() == null ? plain : "https" + plain.substring("http".length());
        baseUrl = config.baseUrl() != null ? config.baseUrl() : URI.create(listen);
        log.info("agent_started", null, "node_id", config.nodeId(), "listen", listen,
            "base_url", baseUrl.toString(),
            "gateway", config.gateway() == null ? null : config.gateway().url().toString(),
            "gpus", config.gpus(), "models", config.models().stream().map(ModelSpec::modelId).toList());
        // Serving does not wait for nvidia-smi; registering does, so that the first registration has the host facts.
        host.facts().onComplete(probed -> {
          if (probed.succeeded()) {
            HostFacts facts = probed.result();
            log.info("host_probed", facts.gpuError(), "hostname", facts.hostname(), "cpus", facts.cpus(),
                "host_gpus", facts.gpus().stream().map(HostFacts.Gpu::name).toList());
            String missing = facts.missingGpus(config.gpus());
            if (missing != null) {
              log.warn("gpus_not_found", missing, "gpus", config.gpus());
            }
          } else {
            log.error("host_probe_failed", String.valueOf(probed.cause()));
          }
          if (registrar != null) {
            registrar.start();
          }
        });
      });
    }

    <T> Future<T> onLoop(Supplier<T> action) {
      Promise<T> result = Promise.promise();
      context.runOnContext(v -> result.complete(action.get()));
      return result.future();
    }

    Void reload(AgentConfig loaded, String trigger) {
      for (String key : AgentReload.restartOnly(config, loaded)) {
        log.warn("restart_needed", key + " changed in the config; it takes effect at the next restart", "key", key,
            "trigger", trigger);
      }
      List<ModelSpec> removed = config.models().stream().filter(model -> !loaded.models().contains(model)).toList();
      List<ModelSpec> added = loaded.models().stream().filter(model -> !config.models().contains(model)).toList();
      AgentConfig next = config.withReloadable(loaded);
      if (next.equals(config)) {
        log.info("reload_unchanged", "Config reloaded: nothing a running agent can change changed", "trigger",
            trigger);
        return null;
      }
      config = next;
      routes.reconfigure(config);
      scheduler.modelsChanged(removed, config.models());
      log.info("reloaded", "Models now " + config.models().stream().map(ModelSpec::modelId).toList() + " ("
          + trigger + ")", "trigger", trigger, "added", added.stream().map(ModelSpec::modelId).toList(),
          "removed", removed.stream().map(ModelSpec::modelId).toList());
      loadedModelsChanged();
      return null;
    }

    Future<Void> drain() {
      if (drained != null) {
        return drained;
      }
      Duration grace = config.shutdownGrace();
      log.info("draining", "Draining: /ready answers 503, deregistering, the port closes; " + scheduler.inFlight()
          + " request(s) on a server get up to shutdown_grace_s=" + Seconds.format(grace) + " to finish",
          "in_flight", scheduler.inFlight(), "waiting", scheduler.waitingCount(),
          "shutdown_grace_s", grace.toMillis() / 1000.0);
      routes.drain();
      scheduler.refuseNew();
      long timer = vertx.setTimer(Math.max(1, grace.toMillis()),
          id -> cutNow("still running after shutdown_grace_s=" + Seconds.format(grace)));
      // At once and together: with the port closed, the gateway's next attempt here is refused and fails over.
      Future<Void> closed = server.shutdown(grace.plus(BACKSTOP));
      Future<Void> deregistered = registrar == null ? Future.succeededFuture() : registrar.close();
      drained = Future.join(closed, deregistered).<Void>transform(done -> Future.succeededFuture())
          .onComplete(done -> {
            vertx.cancelTimer(timer);
            log.info("drained", "Drained; stopping the servers", "node_id", config.nodeId());
          });
      return drained;
    }

    void cutNow() {
      drain();
      cutNow("a second stop signal");
    }

    private void cutNow(String why) {
      int left = scheduler.inFlight();
      if (left > 0) {
        log.warn("shutdown_cut", "The node agent cut " + left + " request(s) " + why + " (the agent stopped them,"
            + " not llama-server)", "cut", left);
      }
      server.close();
    }

    private void loadedModelsChanged() {
      if (registrar != null) {
        registrar.refresh();
      }
    }

    /** Deregistering first stops the gateway sending requests that would only meet a stopping server. */
    @Override
    public Future<?> stop() {
      Future<Void> deregistered = registrar == null ? Future.succeededFuture() : registrar.close();
      return deregistered
          .compose(v -> scheduler.close())
          .compose(v -> launcher.close())
          .compose(v -> server.close())
          .onComplete(done -> log.info("agent_stopped", null, "node_id", config.nodeId()));
    }
  }
}
