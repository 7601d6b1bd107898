package dev.rolemesh.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.http.Responses;
import dev.rolemesh.routing.Role;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /health}: the process is up (never probes, so it is safe for a tight liveness loop).
 * {@code GET /ready}: 200 only while a request for the default model gets an answer now (from it or one of its
 * fallbacks), else 503 with the reason ({@code draining}
 * from the moment the gateway is asked to stop).
 */
final class HealthEndpoints {

  private HealthEndpoints() {}

  static void health(RoutingContext ctx) {
    ObjectNode body = Responses.object();
    body.put("status", "ok");
    Responses.json(ctx, 200, body);
  }

  static void ready(RoutingContext ctx) {
    GatewayState state = RequestContext.of(ctx).state;
    Role role = state.roles().defaultRole();
    if (state.draining()) {
      ObjectNode body = Responses.object();
      body.put("status", "draining");
      body.put("default_model", role.alias());
      body.put("reason", "the gateway is shutting down");
      Responses.json(ctx, 503, body);
      return;
    }
    state.availability().ofChain(role, state.roles().fallbacks(role), null).onComplete(RequestContext.of(ctx).guard(done -> {
      ObjectNode body = Responses.object();
      boolean ready = done.result().available();
      body.put("status", ready ? "ready" : "not_ready");
      body.put("default_model", role.alias());
      if (!ready) {
        body.put("reason", done.result().reason());
      }
      Responses.json(ctx, ready ? 200 : 503, body);
    }));
  }
}
