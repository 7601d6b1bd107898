package dev.rolemesh.nodeagent;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a reload may change in a running agent: its models list (and the grace period of a later stop). The rest
 * shapes the running process (its port, its GPUs, how servers are run, where it registers), so a change there is
 * reported as needing a restart.
 */
final class AgentReload {

  private AgentReload() {}

  /** The config keys whose new value waits for a restart. */
  static List<String> restartOnly(AgentConfig running, AgentConfig loaded) {
    List<String> keys = new ArrayList<>();
    check(keys, "node_id", running.nodeId(), loaded.nodeId());
    check(keys, "listen.host", running.host(), loaded.host());
    check(keys, "listen.port", running.port(), loaded.port());
    check(keys, "base_url", running.baseUrl(), loaded.baseUrl());
    check(keys, "gateway", running.gateway(), loaded.gateway());
    check(keys, "llama_server", running.llamaServer(), loaded.llamaServer());
    check(keys, "gpus", running.gpus(), loaded.gpus());
    check(keys, "nvidia_smi", running.nvidiaSmi(), loaded.nvidiaSmi());
    check(keys, "state_dir", running.stateDir(), loaded.stateDir());
    check(keys, "auth.api_keys", running.apiKeys(), loaded.apiKeys());
    check(keys, "listen.tls", running.tls(), loaded.tls());
    check(keys, "client_timeouts", running.clientTimeouts(), loaded.clientTimeouts());
    return keys;
  }

  private static void check(List<String> keys, String key, Object running, Object loaded) {
    if (!Objects.equals(running, loaded)) {
      keys.add(key);
    }
  }
}
