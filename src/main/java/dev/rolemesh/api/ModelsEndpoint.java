package dev.rolemesh.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.availability.Availability;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.http.ApiError;
import dev.rolemesh.http.Responses;
import dev.rolemesh.routing.Role;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: only roles that can serve now are listed, probed
 * concurrently; the others are reported under {@code rolemesh.unavailable_models} with the reason.
 */
final class ModelsEndpoint {

  private ModelsEndpoint() {}

  static void list(RoutingContext ctx) {
    GatewayState state = RequestContext.of(ctx).state;
    List<Role> roles = state.roles().roles();
    List<Future<Availability>> checks = roles.stream().map(state.availability()::of).toList();
    Future.join(checks).onComplete(done -> {
      ObjectNode root = Responses.object();
      root.put("object", "list");
      ArrayNode data = root.putArray("data");
      ArrayNode unavailable = root.putObject("rolemesh").putArray("unavailable_models");
      for (int i = 0; i < roles.size(); i++) {
        Availability availability = checks.get(i).result();
        if (availability.available()) {
          data.add(modelObject(roles.get(i), state));
        } else {
          ObjectNode entry = unavailable.addObject();
          entry.put("id", roles.get(i).config().openaiModelName());
          entry.put("alias", roles.get(i).alias());
          entry.put("type", typeOf(roles.get(i)));
          entry.put("reason", availability.reason());
        }
      }
      Responses.json(ctx, 200, root);
    });
  }

  static void get(RoutingContext ctx) {
    GatewayState state = RequestContext.of(ctx).state;
    String id = ctx.pathParam("param0");
    Role role = state.roles().resolve(id);
    if (role == null) {
      ApiError.modelNotFound(id, state.roles().aliases()).send(ctx.response());
      return;
    }
    state.availability().of(role).onComplete(done -> {
      Availability availability = done.result();
      if (availability.available()) {
        Responses.json(ctx, 200, modelObject(role, state));
      } else {
        ApiError.unavailable("Model '" + role.alias() + "' cannot serve now: " + availability.reason())
            .send(ctx.response());
      }
    });
  }

  private static ObjectNode modelObject(Role role, GatewayState state) {
    ObjectNode model = Responses.object();
    model.put("id", role.config().openaiModelName());
    model.put("object", "model");
    model.put("created", state.startedEpochSeconds());
    model.put("owned_by", "rolemesh");
    return model;
  }

  private static String typeOf(Role role) {
    return role.config().target() instanceof ModelTarget.Proxy ? "proxy" : "discovered";
  }
}
