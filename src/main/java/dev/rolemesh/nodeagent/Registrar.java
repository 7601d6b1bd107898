package dev.rolemesh.nodeagent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.http.TlsOptions;
import dev.rolemesh.http.Upstream;
import dev.rolemesh.observability.JsonLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Keeps the gateway informed: registers at start and whenever the loaded models change, heartbeats at the interval,
 * and deregisters on a clean shutdown. While the gateway is unreachable it retries with a backoff that doubles up to
 * the heartbeat interval, so an agent started before its gateway joins within one interval of the gateway coming up.
 * A heartbeat answered 404 means the gateway forgot the node (a restart without state): register again.
 */
final class Registrar {

  private static final Duration FIRST_RETRY = Duration.ofMillis(250);
  private static final long REQUEST_TIMEOUT_MS = 5000;

  private final Context context;
  private final HttpClient client;
  private final AgentConfig.Gateway gateway;
  /** The gateway as an address to send to; only its host, port, scheme and path prefix are used. */
  private final Upstream target;
  private final String nodeId;
  private final Supplier<ObjectNode> registration;
  private final Supplier<ObjectNode> heartbeat;
  private final JsonLog log;

  private boolean registered;
  private boolean sending;
  /** The registration changed while one was on its way: send again when it returns. */
  private boolean stale;
  private Duration retryDelay = FIRST_RETRY;
  private long retryTimer = -1;
  private long heartbeatTimer = -1;
  private String lastError = "not registered yet";
  /** Until then, changes need no registration: the first one will carry them. */
  private boolean started;
  private boolean closed;

  Registrar(Context context, HttpClient client, AgentConfig.Gateway gateway, String nodeId,
      Supplier<ObjectNode> registration, Supplier<ObjectNode> heartbeat, JsonLog log) {
    this.context = context;
    this.client = client;
    this.gateway = gateway;
    this.target = new Upstream(gateway.url(), null, null, null, null, TlsOptions.client(gateway.tls()));
    this.nodeId = nodeId;
    this.registration = registration;
    this.heartbeat = heartbeat;
    this.log = log;
  }

  /** Called once the host facts are known, which may be after the agent was stopped. */
  void start() {
    if (closed) {
      return;
    }
    started = true;
    heartbeatTimer = context.owner().setPeriodic(gateway.heartbeat().toMillis(), id -> sendHeartbeat());
    register();
  }

  boolean registered() {
    return registered;
  }

  /** Why the node is not registered, for /ready. */
  String lastError() {
    return lastError;
  }

  /** The served models changed: register again now (or right after the registration on its way). */
  void refresh() {
    if (!started || closed) {
      return;
    }
    if (sending) {
      stale = true;
    } else if (retryTimer < 0) {
      register();
    }
  }

  private void register() {
    retryTimer = -1;
    sending = true;
    stale = false;
    send(HttpMethod.POST, "/v1/nodes/register", registration.get()).onComplete(answer -> {
      sending = false;
      if (closed) {
        return;
      }
      if (answer.succeeded() && answer.result().ok()) {
        if (!registered) {
          log.info("node_registered", null, "gateway", gateway.url().toString(), "node_id", nodeId);
        }
        registered = true;
        retryDelay = FIRST_RETRY;
        if (stale) {
          register();
        }
        return;
      }
      registered = false;
      lastError = "registration with " + gateway.url() + " failed: " + describe(answer.result(), answer.cause());
      log.warn("node_register_failed", lastError, "retry_in_ms", retryDelay.toMillis());
      retryTimer = context.owner().setTimer(retryDelay.toMillis(), id -> register());
      Duration doubled = retryDelay.multipliedBy(2);
      retryDelay = doubled.compareTo(gateway.heartbeat()) > 0 ? gateway.heartbeat() : doubled;
    });
  }

  private void sendHeartbeat() {
    if (!registered || sending || closed) {
      return;
    }
    send(HttpMethod.POST, "/v1/nodes/heartbeat", heartbeat.get()).onComplete(answer -> {
      if (closed || !registered || (answer.succeeded() && answer.result().ok())) {
        return;
      }
      // 404: the gateway forgot us; anything else: it may be down. Registering again covers both, with backoff.
      registered = false;
      lastError = "heartbeat to " + gateway.url() + " failed: " + describe(answer.result(), answer.cause());
      log.warn("node_heartbeat_failed", lastError);
      if (!sending && retryTimer < 0) {
        register();
      }
    });
  }

  /** Stops heartbeats and, when registered, deregisters so the gateway stops routing here at once. */
  Future<Void> close() {
    closed = true;
    context.owner().cancelTimer(heartbeatTimer);
    if (retryTimer >= 0) {
      context.owner().cancelTimer(retryTimer);
    }
    // A registration still on its way may land after we leave: deregister then too (the gateway answers 404
    // if it did not).
    if (!registered && !sending) {
      return Future.succeededFuture();
    }
    registered = false;
    return send(HttpMethod.DELETE, "/v1/nodes/" + nodeId, null).map(answer -> {
      log.info("node_deregistered", null, "node_id", nodeId, "status", answer.status());
      return (Void) null;
    }).otherwise(error -> {
      log.warn("node_deregister_failed", String.valueOf(error.getMessage()), "node_id", nodeId);
      return null;
    });
  }

  private record Answer(int status, String body) {
    boolean ok() {
      return status / 100 == 2;
    }
  }

  private Future<Answer> send(HttpMethod method, String path, ObjectNode body) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost(target.host()).setPort(target.port())
        .setSsl(target.ssl()).setSslOptions(target.tls()).setURI(target.pathFor(path)).setConnectTimeout(REQUEST_TIMEOUT_MS)
        .setIdleTimeout(REQUEST_TIMEOUT_MS);
    if (gateway.nodeKey() != null) {
      options.putHeader("X-RoleMesh-Node-Key", gateway.nodeKey());
    }
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    return client.request(options)
        .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body.toString())))
        .compose(response -> response.body().map(text -> new Answer(response.statusCode(), text.toString())));
  }

  private static String describe(Answer answer, Throwable cause) {
    if (answer != null) {
      String body = answer.body().length() > 300 ? answer.body().substring(0, 300) + "..." : answer.body();
      return "HTTP " + answer.status() + " " + body.strip().replaceAll("\\s+", " ");
    }
    return String.valueOf(cause == null ? null : cause.getMessage());
  }
}
