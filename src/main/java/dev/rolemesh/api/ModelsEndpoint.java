package dev.rolemesh.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.auth.KeyCheck;
import dev.rolemesh.auth.Principal;
import dev.rolemesh.availability.Availability;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.http.AnthropicShape;
import dev.rolemesh.http.ApiError;
import dev.rolemesh.http.Responses;
import dev.rolemesh.routing.Role;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: only roles that can serve now, themselves or through a
 * fallback, are listed, probed concurrently; the others are reported under {@code rolemesh.unavailable_models} with the reason. Asked with an
 * {@code anthropic-version} header, both answer in the Anthropic API's model shape instead.
 */
final class ModelsEndpoint {

  private ModelsEndpoint() {}

  static void list(RoutingContext ctx) {
    GatewayState state = RequestContext.of(ctx).state;
    Principal caller = KeyCheck.principal(ctx);
    // A key limited to some roles sees only those.
    List<Role> roles = state.roles().roles().stream()
        .filter(role -> caller == null || caller.allows(role.alias())).toList();
    List<Future<Availability>> checks = roles.stream().map(role -> answered(state, role, caller)).toList();
    Future.join(checks).onComplete(RequestContext.of(ctx).guard(done -> {
      List<Role> available = new ArrayList<>();
      List<String> through = new ArrayList<>();
      ArrayNode unavailable = Responses.object().arrayNode();
      for (int i = 0; i < roles.size(); i++) {
        Availability availability = checks.get(i).result();
        if (availability.available()) {
          available.add(roles.get(i));
          through.add(availability.fallback());
        } else {
          ObjectNode entry = unavailable.addObject();
          entry.put("id", roles.get(i).config().openaiModelName());
          entry.put("alias", roles.get(i).alias());
          entry.put("type", typeOf(roles.get(i)));
          entry.put("reason", availability.reason());
        }
      }
      if (AnthropicShape.wanted(ctx.request())) {
        Responses.json(ctx, 200, anthropicList(available, state));
        return;
      }
      ObjectNode root = Responses.object();
      root.put("object", "list");
      ArrayNode data = root.putArray("data");
      for (int i = 0; i < available.size(); i++) {
        data.add(modelObject(available.get(i), through.get(i), state));
      }
      root.putObject("rolemesh").set("unavailable_models", unavailable);
      Responses.json(ctx, 200, root);
    }));
  }

  static void get(RoutingContext ctx) {
    GatewayState state = RequestContext.of(ctx).state;
    String id = ctx.pathParam("param0");
    Role role = state.roles().resolve(id);
    if (role == null) {
      ApiError.modelNotFound(id, state.roles().aliases()).send(ctx);
      return;
    }
    Principal caller = KeyCheck.principal(ctx);
    if (caller != null && !caller.allows(role.alias())) {
      ApiError.modelNotAllowed(role.alias(), caller.keyName()).send(ctx);
      return;
    }
    answered(state, role, caller).onComplete(RequestContext.of(ctx).guard(done -> {
      Availability availability = done.result();
      if (availability.available()) {
        Responses.json(ctx, 200, AnthropicShape.wanted(ctx.request())
            ? anthropicModel(role, state)
            : modelObject(role, availability.fallback(), state));
      } else {
        ApiError.unavailable("Model '" + role.alias() + "' cannot serve now: " + availability.reason())
            .send(ctx);
      }
    }));
  }

  /**
   * Whether a request for {@code role} from this caller gets an answer now, from the role or from a fallback the
   * caller's key may use: a role whose own backends are down but whose fallback serves is listed, since a client
   * sending its name gets an answer.
   */
  private static Future<Availability> answered(GatewayState state, Role role, Principal caller) {
    return state.availability().ofChain(role, state.roles().fallbacks(role), caller == null ? null : caller::allows);
  }

  /** @param fallback the fallback serving the role's requests while it cannot, or null */
  private static ObjectNode modelObject(Role role, String fallback, GatewayState state) {
    ObjectNode model = Responses.object();
    model.put("id", role.config().openaiModelName());
    model.put("object", "model");
    model.put("created", state.startedEpochSeconds());
    model.put("owned_by", "rolemesh");
    if (fallback != null) {
      model.putObject("rolemesh").put("served_by_fallback", fallback);
    }
    return model;
  }

  /**
   * The list in the Anthropic API's shape ({@code data[]} of {@code type: "model"}, {@code has_more},
   * {@code first_id}, {@code last_id}): the roles that can serve now, all on one page.
   */
  private static ObjectNode anthropicList(List<Role> available, GatewayState state) {
    ObjectNode root = Responses.object();
    ArrayNode data = root.putArray("data");
    available.forEach(role -> data.add(anthropicModel(role, state)));
    root.put("has_more", false);
    root.put("first_id", available.isEmpty() ? null : available.getFirst().config().openaiModelName());
    root.put("last_id", available.isEmpty() ? null : available.getLast().config().openaiModelName());
    return root;
  }

  private static ObjectNode anthropicModel(Role role, GatewayState state) {
    ObjectNode model = Responses.object();
    model.put("type", "model");
    model.put("id", role.config().openaiModelName());
    model.put("display_name", role.alias());
    model.put("created_at", Instant.ofEpochSecond(state.startedEpochSeconds()).toString());
    return model;
  }

  private static String typeOf(Role role) {
    return role.config().target() instanceof ModelTarget.Proxy ? "proxy" : "discovered";
  }
}
