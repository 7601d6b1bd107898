package dev.rolemesh.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a reloaded config changes against the one in force. Roles, defaults, keys, timeouts, strategies and probe
 * settings, the body limit, {@code node_tls} and the grace period take effect at once. The listen address, its TLS
 * settings and the client timeouts belong to the open port, and the process-wide body budget and whether metrics are
 * recorded are fixed at startup: a change there is reported as needing a restart, and the running values stay in
 * force. (The certificate files themselves are read again at every reload.)
 *
 * @param inForce the loaded config with the running listener settings, body budget and metrics switch: what the
 *     gateway now serves by
 * @param added roles the loaded config has and the running one had not
 * @param removed roles the running config had and the loaded one has not
 * @param changed roles in both, configured differently
 * @param restartOnly config keys whose new value waits for a restart
 */
public record ConfigDiff(GatewayConfig inForce, List<String> added, List<String> removed, List<String> changed,
    List<String> restartOnly) {

  public static ConfigDiff between(GatewayConfig running, GatewayConfig loaded) {
    ServerSettings was = running.gateway();
    ServerSettings now = loaded.gateway();
    List<String> restartOnly = new ArrayList<>();
    if (!was.host().equals(now.host())) {
      restartOnly.add("gateway.host");
    }
    if (was.port() != now.port()) {
      restartOnly.add("gateway.port");
    }
    if (!Objects.equals(was.maxInflightBodyBytes(), now.maxInflightBodyBytes())) {
      restartOnly.add("gateway.max_inflight_body_mb");
    }
    if (was.metrics() != now.metrics()) {
      restartOnly.add("gateway.metrics");
    }
    if (!Objects.equals(was.tls(), now.tls())) {
      restartOnly.add("gateway.tls");
    }
    if (!Objects.equals(was.clientTimeouts(), now.clientTimeouts())) {
      restartOnly.add("gateway.client_timeouts");
    }
    ServerSettings kept = new ServerSettings(was.host(), was.port(), now.timeouts(), now.maxBodyBytes(),
        now.probeTimeout(), now.probeCacheTtl(), was.metrics(), was.maxInflightBodyBytes(), was.tls(), now.nodeTls(),
        was.clientTimeouts(), now.shutdownGrace(), now.queue());
    GatewayConfig inForce = new GatewayConfig(loaded.version(), loaded.defaultModel(), kept, loaded.auth(),
        loaded.models(), loaded.source());
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    loaded.models().forEach((alias, model) -> {
      if (!running.models().containsKey(alias)) {
        added.add(alias);
      } else if (!Objects.equals(running.models().get(alias), model)) {
        changed.add(alias);
      }
    });
    List<String> removed = running.models().keySet().stream()
        .filter(alias -> !loaded.models().containsKey(alias)).toList();
    return new ConfigDiff(inForce, List.copyOf(added), removed, List.copyOf(changed), List.copyOf(restartOnly));
  }

  /** Whether the reload changes nothing the gateway serves by. */
  public boolean none(GatewayConfig running) {
    return inForce.equals(running);
  }
}
