package dev.rolemesh.api;

import dev.rolemesh.admission.Queues;
import dev.rolemesh.auth.KeyAuthenticator;
import dev.rolemesh.auth.KeyCheck;
import dev.rolemesh.availability.Availability;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.dashboard.DashboardAssets;
import dev.rolemesh.dashboard.StatusReport;
import dev.rolemesh.http.ApiError;
import dev.rolemesh.http.Responses;
import dev.rolemesh.metrics.Exposition;
import dev.rolemesh.metrics.GatewayMetrics;
import dev.rolemesh.registry.Node;
import dev.rolemesh.routing.Role;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /metrics}, {@code GET /v1/status} and the dashboard at {@code /ui/}. The first two need a client or
 * metrics key once client keys are configured; both first ask every role whether it can serve (probing fixed
 * upstreams through the availability cache), so they tell what {@code /v1/models} would.
 */
final class ObservabilityRoutes {

  private final Telemetry telemetry;

  ObservabilityRoutes(Telemetry telemetry) {
    this.telemetry = telemetry;
  }

  void mount(Router router) {
    KeyCheck readers = new KeyCheck(ctx -> KeyAuthenticator.metrics(RequestContext.of(ctx).state.config().auth()));
    GatewayVerticle.read(router.route("/metrics")).handler(readers).handler(this::metrics);
    GatewayVerticle.read(router.route("/v1/status")).handler(readers).handler(this::status);
    GatewayVerticle.read(router.route("/ui")).handler(DashboardAssets::serve);
    GatewayVerticle.read(router.route("/ui/*")).handler(DashboardAssets::serve);
  }

  private void metrics(RoutingContext ctx) {
    if (telemetry.metrics() == null) {
      recordingOff(ctx);
      return;
    }
    GatewayState state = RequestContext.of(ctx).state;
    roles(state).onSuccess(RequestContext.of(ctx).guard(roles -> {
      Map<String, Boolean> available = new LinkedHashMap<>();
      roles.forEach((role, availability) -> available.put(role.alias(), availability.available()));
      int fresh = 0;
      Map<String, Integer> inFlight = new LinkedHashMap<>();
      List<Node> nodes = state.nodeStore().nodes();
      for (Node node : nodes) {
        fresh += state.nodeStore().fresh(node) ? 1 : 0;
        inFlight.put(node.nodeId(), state.nodeStore().traffic().inFlight(node.nodeId()));
      }
      Map<String, Integer> waiting = new LinkedHashMap<>();
      roles.keySet().forEach(role -> waiting.put(role.alias(), state.queues().of(role.alias()).waiting()));
      byte[] text = telemetry.metrics().scrape(
          new GatewayMetrics.Snapshot(available, fresh, nodes.size() - fresh, inFlight, waiting));
      ctx.response().putHeader("Content-Type", Exposition.CONTENT_TYPE).end(Buffer.buffer(text));
    }));
  }

  private void status(RoutingContext ctx) {
    if (telemetry.recorder() == null) {
      recordingOff(ctx);
      return;
    }
    GatewayState state = RequestContext.of(ctx).state;
    roles(state).onSuccess(RequestContext.of(ctx).guard(roles -> {
      List<StatusReport.RoleView> views = new ArrayList<>();
      roles.forEach((role, availability) -> views.add(view(role, availability, state.queues())));
      Responses.json(ctx, 200, StatusReport.build(state.version(), state.roles().defaultRole().alias(), views,
          state.nodeStore(), telemetry.recorder()));
    }));
  }

  private static StatusReport.RoleView view(Role role, Availability availability, Queues queues) {
    int waiting = queues.of(role.alias()) == null ? 0 : queues.of(role.alias()).waiting();
    return switch (role.config().target()) {
      case ModelTarget.Proxy proxy -> new StatusReport.RoleView(role.alias(), "proxy", "fixed",
          availability.available(), availability.reason(), waiting);
      case ModelTarget.Discovered discovered -> new StatusReport.RoleView(role.alias(), "discovered",
          discovered.strategy().configName(), availability.available(), availability.reason(), waiting);
    };
  }

  /** Every role with whether it can serve now, in config order; the future always succeeds. */
  private static Future<Map<Role, Availability>> roles(GatewayState state) {
    List<Role> roles = state.roles().roles();
    List<Future<Availability>> checks = roles.stream().map(role -> state.availability().of(role)).toList();
    return Future.join(checks).transform(done -> {
      Map<Role, Availability> out = new LinkedHashMap<>();
      for (int i = 0; i < roles.size(); i++) {
        Future<Availability> check = checks.get(i);
        out.put(roles.get(i), check.succeeded() ? check.result() : Availability.down(String.valueOf(check.cause())));
      }
      return Future.succeededFuture(out);
    });
  }

  private static void recordingOff(RoutingContext ctx) {
    ApiError.notFound("Metrics and status are off on this gateway (gateway.metrics: false)").send(ctx);
  }
}
