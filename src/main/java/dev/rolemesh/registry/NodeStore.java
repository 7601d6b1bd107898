package dev.rolemesh.registry;

import java.time.Duration;
import java.util.List;

/**
 * Where the gateway keeps the nodes that registered. {@link NodeRegistry} keeps them in memory (saved to a file when
 * persistent); a store shared by several gateways can take its place behind this interface.
 */
public interface NodeStore {

  /** Adds the node, or replaces it whole when the id is known (a node that re-registers may serve other models). */
  Node register(Registration registration) throws NodeRegistry.Full;

  /** Marks the node seen now, with the load it reported; null when the id is unknown (it must register again). */
  Node heartbeat(Heartbeat heartbeat);

  boolean deregister(String nodeId);

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

  /** Blocks until the changes made so far are stored. */
  void close();
}
