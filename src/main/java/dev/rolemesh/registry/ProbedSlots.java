package dev.rolemesh.registry;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The slot counts of nodes that did not report their capacity ({@code served_models[].meta.parallel}) but answered
 * {@code GET /slots} (a bare llama-server registered by hand or by a script). A node that registers again is asked
 * again, since it may be another server now.
 */
public final class ProbedSlots {

  private final ConcurrentHashMap<String, Integer> byNode = new ConcurrentHashMap<>();

  /** @param slots the length of the node's {@code /slots} array; 0 when it did not say */
  public void found(String nodeId, int slots) {
    byNode.put(nodeId, slots);
  }

  /**
   * Marks the node as asked, unless it was: true the first time after its registration (or, for a node restored
   * from the state file, since this gateway started), so a node is asked once, not at every heartbeat.
   */
  public boolean ask(String nodeId) {
    return byNode.putIfAbsent(nodeId, 0) == null;
  }

  void forget(String nodeId) {
    byNode.remove(nodeId);
  }

  /** The node's slots as its {@code /slots} showed them; 0 when unknown. */
  public int of(String nodeId) {
    return byNode.getOrDefault(nodeId, 0);
  }
}
