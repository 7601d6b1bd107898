package dev.rolemesh.registry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the gateway keeps the nodes that registered. {@link NodeRegistry} keeps them in memory (saved to a file when
 * persistent); a store shared by several gateways can take its place behind this interface.
 */
public interface NodeStore {

  /**
   * Adds the node, or replaces it whole when the id is known (a node that re-registers may serve other models). The
   * node is routable at once; the future completes once the change is durable (the caller acknowledges it only
   * then), or fails when it could not be stored.
   */
  CompletableFuture<Node> register(Registration registration) throws NodeRegistry.Full;

  /** Marks the node seen now, with the load it reported; null when the id is unknown (it must register again). */
  Node heartbeat(Heartbeat heartbeat);

  /** Completes with false for an unknown id, with true once the removal is durable. */
  CompletableFuture<Boolean> deregister(String nodeId);

  /** Every node, fresh or stale, by id. */
  List<Node> nodes();

  /** Every node that serves the role, fresh or stale, by id. */
  List<Node> serving(String role);

  /** The fresh nodes that serve the role, by id: the only ones that get its traffic. */
  List<Node> freshServing(String role);

  boolean fresh(Node node);

  /** Time since the node's last register or heartbeat (zero if the clock went back). */
  Duration age(Node node);

  /** The stale timeout in seconds as an operator would write it: 30, or 2.5 when not whole. */
  Number staleAfterSeconds();

  /** This gateway's own traffic to each node (in flight, cooling down): local, whoever stores the nodes. */
  NodeTraffic traffic();

  /** What nodes that report no capacity showed at {@code GET /slots}: local, like {@link #traffic}. */
  ProbedSlots probedSlots();

  /** Blocks until the changes made so far are stored. */
  void close();
}
