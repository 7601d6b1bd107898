package dev.rolemesh.api;

import dev.rolemesh.auth.ApiKeys;
import dev.rolemesh.availability.RoleAvailability;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.observability.AccessLog;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.registry.NodeRegistry;
import dev.rolemesh.routing.BackendChooser;
import dev.rolemesh.routing.RoleTable;

/**
 * What every event loop's server shares: built once at startup, thread-safe, never rebuilt per request.
 *
 * @param startedEpochSeconds the {@code created} stamp of listed models, stable for the process's life
 * @param via this gateway's entry in the {@code Via} header, unique per process so that a request coming back to
 *     the same gateway is recognised as a loop while a chain of different gateways still works
 */
public record GatewayServices(
    GatewayConfig config,
    RoleTable roles,
    BackendChooser chooser,
    RoleAvailability availability,
    ApiKeys clientKeys,
    ApiKeys nodeKeys,
    JsonLog log,
    AccessLog accessLog,
    long startedEpochSeconds,
    NodeRegistry nodes,
    String via) {

  /** The longest {@code connect_s} of any model, which bounds every TCP connect attempt to a backend. */
  public java.time.Duration longestConnectTimeout() {
    return config.models().values().stream()
        .map(model -> model.timeouts().connect())
        .max(java.time.Duration::compareTo)
        .orElse(config.gateway().timeouts().connect());
  }
}
