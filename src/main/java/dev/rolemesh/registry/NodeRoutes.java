package dev.rolemesh.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.config.Cidr;
import dev.rolemesh.http.ApiError;
import dev.rolemesh.http.Responses;
import dev.rolemesh.observability.JsonLog;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The node API. Nodes (with a node key when {@code node_api_keys} is set) call {@code POST /v1/nodes/register},
 * {@code POST /v1/nodes/heartbeat} and {@code DELETE /v1/nodes/{node_id}}; operators read {@code GET /v1/nodes}
 * with a client or a node key.
 *
 * <p>A registration or deregistration is answered once it is on disk (group commit, a few milliseconds), so an
 * acknowledged change survives a crash at any instant; a save that fails is a 503 {@code registry_unsaved}.
 *
 * <p>Register and heartbeat answer 200 with {@code {"ok":true,"node_id":..,"state":"fresh","stale_after_s":30}}, so
 * an agent learns the heartbeat deadline from the gateway itself. A heartbeat or deregistration for an unknown node
 * is a 404 with code {@code unknown_node}: the agent's cue to register again (after a gateway lost its state, say).
 */
public final class NodeRoutes {

  /** Registrations are small; anything near this is a mistake or an attack, not a node. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private final NodeStore registry;
  private final Function<RoutingContext, List<Cidr>> nodeNetworks;
  private final JsonLog log;
  private final Listener listener;

  /**
   * Told, once the change is in the registry, that a node registered or sent a heartbeat: its capacity may have
   * changed, or it may be fresh again.
   */
  @FunctionalInterface
  public interface Listener {
    void seen(RoutingContext ctx, Node node);
  }

  /** @param nodeNetworks the {@code auth.node_networks} in force for a request (empty: no allow-list) */
  public NodeRoutes(NodeStore registry, Function<RoutingContext, List<Cidr>> nodeNetworks, JsonLog log,
      Listener listener) {
    this.registry = registry;
    this.nodeNetworks = nodeNetworks;
    this.log = log;
    this.listener = listener;
  }

  /**
   * @param nodes lets through callers with a node key
   * @param operators lets through callers with a client or a node key
   */
  public void mount(Router router, SecurityPolicyHandler nodes, SecurityPolicyHandler operators) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
    router.post("/v1/nodes/register").handler(nodes).handler(body).handler(this::register)
        .failureHandler(NodeRoutes::tooLarge);
    router.post("/v1/nodes/heartbeat").handler(nodes).handler(body).handler(this::heartbeat)
        .failureHandler(NodeRoutes::tooLarge);
    router.delete("/v1/nodes/:node_id").handler(nodes).handler(this::deregister);
    // HEAD as well as GET, like every GET endpoint of the gateway.
    router.route("/v1/nodes").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(operators)
        .handler(ctx -> NodeListing.send(ctx.response(), registry));
  }

  private void register(RoutingContext ctx) {
    CompletableFuture<Node> saved;
    try {
      Registration registration = NodeJson.registration(bytes(ctx));
      String refused = NodeAddresses.problem(registration.baseUrl(), nodeNetworks.apply(ctx));
      if (refused != null) {
        new ApiError(422, "'base_url' " + refused, "invalid_request_error", "base_url", "base_url_refused")
            .send(ctx.response());
        return;
      }
      saved = registry.register(registration);
    } catch (NodeJson.Invalid invalid) {
      invalid.toApiError().send(ctx.response());
      return;
    } catch (NodeRegistry.Full full) {
      new ApiError(503, full.getMessage(), "server_error", "node_id", "registry_full").send(ctx.response());
      return;
    }
    whenSaved(ctx, saved, node -> {
      log.info("node_registered", null, "node_id", node.nodeId(), "base_url", node.baseUrl().toString(),
          "roles", node.roles(), "models", node.servedModels().stream().map(ServedModel::modelId).toList());
      Responses.json(ctx, 200, acknowledgement(node));
      listener.seen(ctx, node);
    });
  }

  private void heartbeat(RoutingContext ctx) {
    Heartbeat heartbeat;
    try {
      heartbeat = NodeJson.heartbeat(bytes(ctx));
    } catch (NodeJson.Invalid invalid) {
      invalid.toApiError().send(ctx.response());
      return;
    }
    Node node = registry.heartbeat(heartbeat);
    if (node == null) {
      unknown(heartbeat.nodeId()).send(ctx.response());
      return;
    }
    Responses.json(ctx, 200, acknowledgement(node));
    listener.seen(ctx, node);
  }

  private void deregister(RoutingContext ctx) {
    String nodeId = ctx.pathParam("node_id");
    whenSaved(ctx, registry.deregister(nodeId), removed -> {
      if (!removed) {
        unknown(nodeId).send(ctx.response());
        return;
      }
      log.info("node_deregistered", null, "node_id", nodeId);
      ObjectNode body = Responses.object();
      body.put("ok", true);
      body.put("node_id", nodeId);
      body.put("deregistered", true);
      Responses.json(ctx, 200, body);
    });
  }

  /** Answers on the request's own event loop once the change is on disk; a failed save is a 503, never a 200. */
  private static <T> void whenSaved(RoutingContext ctx, CompletableFuture<T> saved, Consumer<T> answer) {
    Future.fromCompletionStage(saved, ctx.vertx().getOrCreateContext()).onComplete(done -> {
      if (ctx.response().closed()) {
        // The node hung up while the save ran; the change stands, and its retry will find it.
        return;
      }
      if (done.succeeded()) {
        answer.accept(done.result());
      } else {
        ctx.response().putHeader("Retry-After", "1");
        new ApiError(503, "The change is in effect but not acknowledged: " + done.cause().getMessage()
            + "; send it again", "server_error", null, "registry_unsaved").send(ctx.response());
      }
    });
  }

  private ObjectNode acknowledgement(Node node) {
    ObjectNode body = Responses.object();
    body.put("ok", true);
    body.put("node_id", node.nodeId());
    body.put("state", registry.fresh(node) ? "fresh" : "stale");
    putSeconds(body, "stale_after_s", registry.staleAfterSeconds());
    return body;
  }

  private static void putSeconds(ObjectNode body, String field, Number seconds) {
    if (seconds instanceof Long whole) {
      body.put(field, whole);
    } else {
      body.put(field, seconds.doubleValue());
    }
  }

  private static byte[] bytes(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    return body == null ? new byte[0] : body.getBytes();
  }

  private static ApiError unknown(String nodeId) {
    return new ApiError(404, "Unknown node '" + nodeId + "': register it with POST /v1/nodes/register",
        "invalid_request_error", "node_id", "unknown_node");
  }

  /** The router's own 413 names the inference limit; a node needs to hear this one. */
  private static void tooLarge(RoutingContext ctx) {
    if (ctx.statusCode() == 413) {
      new ApiError(413, "Node request body exceeds the limit of " + MAX_BODY_BYTES + " bytes",
          "invalid_request_error", null, "request_too_large").send(ctx.response());
    } else {
      ctx.next();
    }
  }
}
