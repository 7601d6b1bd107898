package dev.rolemesh.registry;

import java.util.Map;

/**
 * A validated {@code POST /v1/nodes/heartbeat} body: the node id and the load figures it chose to report.
 *
 * @param slots each model's slots as the heartbeat's optional {@code served_models[].meta.parallel} says them (the
 *     node agent sends them), by model id; empty when it says none
 */
public record Heartbeat(String nodeId, Node.Load load, Map<String, Integer> slots) {

  public Heartbeat(String nodeId, Node.Load load) {
    this(nodeId, load, Map.of());
  }
}
