package dev.rolemesh.registry;

import dev.rolemesh.observability.JsonLog;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The nodes that registered, shared by every event loop. Each node is an immutable record replaced atomically, so
 * readers never lock and never see half an update. Freshness is computed from {@code last_seen} at read time, so
 * nothing has to sweep the registry for a node to go stale, and a heartbeat revives it at once.
 *
 * <p>When persistent, every change asks the {@link RegistrySaver} for a save; the request path never waits for it.
 */
public final class NodeRegistry implements NodeStore {

  /** A bound on memory a node key holder can make the gateway spend; far above any real fleet. */
  static final int MAX_NODES = 1024;

  private static final Comparator<Node> BY_ID = Comparator.comparing(Node::nodeId);

  private final ConcurrentHashMap<String, Node> nodes = new ConcurrentHashMap<>();
  private final InstantSource clock;
  private final Duration staleAfter;
  private final NodeTraffic traffic;
  private final RegistrySaver saver;

  /** The registry is at {@link #MAX_NODES} and the node is not one of them. */
  public static final class Full extends Exception {
    Full() {
      super("The gateway already holds " + MAX_NODES + " nodes; deregister unused ones first", null, false, false);
    }
  }

  private NodeRegistry(RegistrySettings settings, List<Node> restored, RegistryFile file, JsonLog log) {
    this.clock = settings.clock();
    this.staleAfter = settings.staleAfter();
    this.traffic = new NodeTraffic(clock);
    restored.forEach(node -> nodes.put(node.nodeId(), node));
    this.saver = file == null ? null : new RegistrySaver(file, this::nodes, log);
  }

  /**
   * The registry the settings describe, with the nodes saved under the state dir restored as they were (so they are
   * routable again only while their {@code last_seen} is still fresh). Blocking: reads the state file.
   */
  public static NodeRegistry open(RegistrySettings settings, JsonLog log) {
    if (settings.stateDir() == null) {
      return new NodeRegistry(settings, List.of(), null, log);
    }
    RegistryFile file = new RegistryFile(settings.stateDir(), log);
    List<Node> restored = file.load();
    if (!restored.isEmpty()) {
      log.info("registry_restored", "Restored " + restored.size() + " registered node(s) from " + file.path(),
          "nodes", restored.stream().map(Node::nodeId).toList());
    }
    return new NodeRegistry(settings, restored, file, log);
  }

  /** Adds the node, or replaces it whole when the id is known (a node that re-registers may serve other models). */
  public Node register(Registration registration) throws Full {
    if (nodes.size() >= MAX_NODES && !nodes.containsKey(registration.nodeId())) {
      throw new Full();
    }
    Node node = Node.registered(registration, clock.instant());
    nodes.put(node.nodeId(), node);
    traffic.forgive(node.nodeId());
    changed();
    return node;
  }

  /** Marks the node seen now, with the load it reported; null when the id is unknown (it must register again). */
  public Node heartbeat(Heartbeat heartbeat) {
    Node node = nodes.computeIfPresent(heartbeat.nodeId(),
        (id, known) -> known.seen(clock.instant(), heartbeat.load()));
    if (node != null) {
      changed();
    }
    return node;
  }

  public boolean deregister(String nodeId) {
    boolean removed = nodes.remove(nodeId) != null;
    if (removed) {
      changed();
    }
    return removed;
  }

  /** Every node, fresh or stale, by id. */
  public List<Node> nodes() {
    return nodes.values().stream().sorted(BY_ID).toList();
  }

  /** Every node that serves the role, fresh or stale, by id. */
  public List<Node> serving(String role) {
    return nodes.values().stream().filter(node -> node.serves(role)).sorted(BY_ID).toList();
  }

  /** The fresh nodes that serve the role, by id: the only ones that get its traffic. */
  public List<Node> freshServing(String role) {
    return nodes.values().stream().filter(node -> node.serves(role) && fresh(node)).sorted(BY_ID).toList();
  }

  public boolean fresh(Node node) {
    return age(node).compareTo(staleAfter) < 0;
  }

  /** Time since the node's last register or heartbeat (zero if the clock went back). */
  public Duration age(Node node) {
    Duration age = Duration.between(node.lastSeen(), clock.instant());
    return age.isNegative() ? Duration.ZERO : age;
  }

  /** The stale timeout in seconds as an operator would write it: 30, or 2.5 when not whole. */
  public Number staleAfterSeconds() {
    return staleAfter.toNanosPart() == 0 ? (Number) staleAfter.toSeconds() : (Number) (staleAfter.toNanos() / 1e9);
  }

  public NodeTraffic traffic() {
    return traffic;
  }

  /** Blocks until the changes made so far are saved. */
  public void close() {
    if (saver != null) {
      saver.close();
    }
  }

  private void changed() {
    if (saver != null) {
      saver.saveSoon();
    }
  }
}
