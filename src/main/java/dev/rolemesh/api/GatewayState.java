package dev.rolemesh.api;

import dev.rolemesh.admission.Queues;
import dev.rolemesh.auth.Authenticator;
import dev.rolemesh.availability.RoleAvailability;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.observability.ExchangeListener;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.registry.NodeStore;
import dev.rolemesh.routing.BackendChooser;
import dev.rolemesh.routing.RoleTable;
import java.time.Duration;

/**
 * Everything a request reads, as of one config version: immutable, and replaced whole when the config changes. A
 * request reads the current state once, as it arrives, and keeps that snapshot to its end, so a new config never
 * changes the rules under a request in flight. The parts that outlive a config (the node store, the exchange
 * listener, the log, the Via entry) are handed from one version to the next.
 *
 * @param version 1 for the config the gateway started with, one more for each config swapped in since
 * @param draining the gateway is stopping: {@code /ready} says so and every answer closes its connection
 * @param clients who may call the inference and model endpoints
 * @param nodes who may register, heartbeat and deregister nodes
 * @param operators who may list the nodes
 * @param exchanges told about every finished request (the access log, later metrics)
 * @param startedEpochSeconds the {@code created} stamp of listed models, stable for the process's life
 * @param queues every role's admission queue, kept across versions so that a reload keeps every waiter's place
 * @param via this gateway's entry in the {@code Via} header, unique per process so that a request coming back to
 *     the same gateway is recognised as a loop while a chain of different gateways still works
 */
public record GatewayState(
    long version,
    boolean draining,
    GatewayConfig config,
    RoleTable roles,
    BackendChooser chooser,
    RoleAvailability availability,
    Authenticator clients,
    Authenticator nodes,
    Authenticator operators,
    NodeStore nodeStore,
    ExchangeListener exchanges,
    JsonLog log,
    long startedEpochSeconds,
    String via,
    Queues queues) {

  /** This state, with the gateway stopping. */
  public GatewayState asDraining() {
    return new GatewayState(version, true, config, roles, chooser, availability, clients, nodes, operators, nodeStore,
        exchanges, log, startedEpochSeconds, via, queues);
  }

  /** The longest {@code connect_s} of any model, which bounds every TCP connect attempt to a backend. */
  public Duration longestConnectTimeout() {
    return config.models().values().stream()
        .map(model -> model.timeouts().connect())
        .max(Duration::compareTo)
        .orElse(config.gateway().timeouts().connect());
  }
}
