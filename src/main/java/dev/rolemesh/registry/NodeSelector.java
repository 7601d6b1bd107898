package dev.rolemesh.registry;

import dev.rolemesh.admission.AdmissionPolicy;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.http.ConversationChain;
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
  private final RoutedPrefixes routed = new RoutedPrefixes();

  public NodeSelector(NodeStore registry) {
    this.registry = registry;
  }

  /** The nodes to try for one request to the alias, best first; empty when no fresh node serves the role. */
  public List<Node> order(String alias, ModelTarget.Discovered target) {
    return order(alias, target, ConversationChain.NONE, null);
  }

  /**
   * As {@link #order(String, ModelTarget.Discovered)}, for a request whose conversation has the given chain of
   * hashes and which names a run (or null); only {@code cache_affinity} looks at them, and remembers its choice.
   */
  public List<Node> order(String alias, ModelTarget.Discovered target, long[] conversation, String run) {
    List<Node> fresh = registry.freshServing(target.role());
    if (fresh.isEmpty()) {
      return List.of();
    }
    NodeTraffic traffic = registry.traffic();
    List<Node> usable = fresh.stream().filter(node -> !traffic.coolingDown(node.nodeId())).toList();
    if (usable.isEmpty()) {
      usable = fresh;
    }
    usable = withRoom(usable, target.role(), traffic);
    if (usable.isEmpty()) {
      // every node is full: the request waits in the role's queue
      return List.of();
    }
    List<Node> ordered = switch (target.strategy()) {
      case ROUND_ROBIN -> rotated(usable, alias);
      case RANDOM -> shuffled(usable);
      case LEAST_BUSY -> leastBusyFirst(rotated(usable, alias), traffic::inFlight);
      case CACHE_AFFINITY -> affine(rotated(usable, alias), target, conversation, run, traffic);
    };
    return ordered.subList(0, Math.min(MAX_ATTEMPTS, ordered.size()));
  }

  /**
   * The requests the node serves the role with at once: its {@code meta.parallel}, else what its {@code /slots}
   * showed; 0 when unknown (no limit).
   */
  public int slots(Node node, String role) {
    int reported = node.slotsFor(role);
    return reported > 0 ? reported : registry.probedSlots().of(node.nodeId());
  }

  /** The nodes with a free slot; the same list when none is full. */
  private List<Node> withRoom(List<Node> nodes, String role, NodeTraffic traffic) {
    boolean anyFull = false;
    for (Node node : nodes) {
      if (!hasRoom(node, role, traffic)) {
        anyFull = true;
        break;
      }
    }
    return anyFull ? nodes.stream().filter(node -> hasRoom(node, role, traffic)).toList() : nodes;
  }

  /** See {@link AdmissionPolicy#hasRoom}: nothing is looked up for a node whose capacity is unknown. */
  private boolean hasRoom(Node node, String role, NodeTraffic traffic) {
    int slots = slots(node, role);
    return slots <= 0 || AdmissionPolicy.hasRoom(traffic.inFlight(node.nodeId(), node.modelFor(role)), slots);
  }

  /**
   * The requests in flight that compete with one of the role's on the node: those to the model serving the role when
   * its slots are known (each model is its own llama-server), else all of the node's.
   */
  private int competing(Node node, String role, NodeTraffic traffic) {
    return slots(node, role) > 0
        ? traffic.inFlight(node.nodeId(), node.modelFor(role))
        : traffic.inFlight(node.nodeId());
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

  private List<Node> affine(List<Node> rotated, ModelTarget.Discovered target, long[] conversation, String run,
      NodeTraffic traffic) {
    List<CacheAffinity.Candidate> candidates = rotated.stream()
        .map(node -> new CacheAffinity.Candidate(node, competing(node, target.role(), traffic), slots(node, target.role()),
            routed.matched(node.nodeId(), conversation), routed.runSeen(node.nodeId(), run)))
        .toList();
    List<Node> ordered = CacheAffinity.order(candidates, target.affinityMargin());
    if (routed.remember(ordered.getFirst().nodeId(), conversation, run)) {
      routed.retain(registry.nodes().stream().map(Node::nodeId).collect(Collectors.toSet()));
    }
    return ordered;
  }

  private static List<Node> shuffled(List<Node> nodes) {
    List<Node> shuffled = new ArrayList<>(nodes);
    Collections.shuffle(shuffled, ThreadLocalRandom.current());
    return shuffled;
  }
}
