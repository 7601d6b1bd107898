package dev.rolemesh.registry;

import dev.rolemesh.config.ModelTarget;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * Orders the fresh nodes of a discovered role for one request: the strategy's pick first, then the others as
 * failover candidates in the same strategy's order. Nodes cooling down after a failure are left out, unless every
 * node is cooling down: then they are all tried rather than failing the request outright.
 */
public final class NodeSelector {

  /** A request tries at most this many nodes, so a fleet of dead nodes cannot hold a client for long. */
  public static final int MAX_ATTEMPTS = 3;

  /** How many stale nodes an explanation names before it just counts. */
  private static final int NAMED_STALE = 5;

  private final NodeStore registry;
  /** One rotation per alias, so two aliases on one role each spread evenly. */
  private final ConcurrentHashMap<String, AtomicLong> turns = new ConcurrentHashMap<>();

  public NodeSelector(NodeStore registry) {
    this.registry = registry;
  }

  /** The nodes to try for one request to the alias, best first; empty when no fresh node serves the role. */
  public List<Node> order(String alias, ModelTarget.Discovered target) {
    List<Node> fresh = registry.freshServing(target.role());
    if (fresh.isEmpty()) {
      return List.of();
    }
    NodeTraffic traffic = registry.traffic();
    List<Node> usable = fresh.stream().filter(node -> !traffic.coolingDown(node.nodeId())).toList();
    if (usable.isEmpty()) {
      usable = fresh;
    }
    List<Node> ordered = switch (target.strategy()) {
      case ROUND_ROBIN -> rotated(usable, alias);
      case RANDOM -> shuffled(usable);
      case LEAST_BUSY -> leastBusyFirst(rotated(usable, alias), traffic::inFlight);
    };
    return ordered.subList(0, Math.min(MAX_ATTEMPTS, ordered.size()));
  }

  public boolean anyFresh(String role) {
    return !registry.freshServing(role).isEmpty();
  }

  /** Why no node can take the role's requests, naming the stale ones and how long they have been silent. */
  public String whyNone(String role) {
    List<Node> stale = registry.serving(role).stream().filter(node -> !registry.fresh(node)).toList();
    String start = "no fresh node serves role '" + role + "'";
    if (stale.isEmpty()) {
      return start + " (no node has registered for it)";
    }
    String named = stale.stream().limit(NAMED_STALE)
        .map(node -> node.nodeId() + " last seen " + registry.age(node).toSeconds() + "s ago")
        .collect(Collectors.joining(", "));
    String more = stale.size() > NAMED_STALE ? ", ..." : "";
    return start + " (" + stale.size() + " stale, no heartbeat within " + registry.staleAfterSeconds()
        + "s: " + named + more + ")";
  }

  private List<Node> rotated(List<Node> nodes, String alias) {
    long turn = turns.computeIfAbsent(alias, key -> new AtomicLong()).getAndIncrement();
    List<Node> rotated = new ArrayList<>(nodes);
    Collections.rotate(rotated, -Math.floorMod(turn, nodes.size()));
    return rotated;
  }

  /**
   * Other event loops change the counters while this one sorts, and a comparator whose answers change mid-sort
   * breaks TimSort's contract (it throws from 32 nodes up): each node's count is read once, then sorted. The sort is
   * stable, so nodes equally busy keep their round-robin order and ties rotate.
   */
  static List<Node> leastBusyFirst(List<Node> rotated, ToIntFunction<String> inFlight) {
    record Loaded(Node node, int inFlight) {}
    return rotated.stream()
        .map(node -> new Loaded(node, inFlight.applyAsInt(node.nodeId())))
        .sorted(Comparator.comparingInt(Loaded::inFlight))
        .map(Loaded::node)
        .toList();
  }

  private static List<Node> shuffled(List<Node> nodes) {
    List<Node> shuffled = new ArrayList<>(nodes);
    Collections.shuffle(shuffled, ThreadLocalRandom.current());
    return shuffled;
  }
}
