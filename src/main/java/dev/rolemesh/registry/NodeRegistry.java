package dev.rolemesh.registry;

import dev.rolemesh.observability.JsonLog;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The nodes that registered, shared by every event loop. Each node is an immutable record replaced atomically, so
 * readers never lock and never see half an update. Freshness is computed from {@code last_seen} at read time, so
 * nothing has to sweep the registry for a node to go stale, and a heartbeat revives it at once.
 *
 * <p>When persistent, a registration or deregistration completes only once it is on disk (the {@link RegistrySaver}
 * batches them into group commits, off the event loops); a heartbeat only marks the registry for a save within a
 * few seconds, since losing a {@code last_seen} costs nothing the next heartbeat does not restore.
 */
public final class NodeRegistry implements NodeStore {

  /** A bound on memory a node key holder can make the gateway spend; far above any real fleet. */
  static final int MAX_NODES = 1024;

  private static final Comparator<Node> BY_ID = Comparator.comparing(Node::nodeId);

  private final ConcurrentHashMap<String, Node> nodes = new ConcurrentHashMap<>();
  /** Slots taken, reserved inside the map's per-key update: concurrent registrations can never pass the cap. */
  private final AtomicInteger taken = new AtomicInteger();
  private final InstantSource clock;
  private final Duration staleAfter;
  private final NodeTraffic traffic;
  private final ProbedSlots probedSlots = new ProbedSlots();
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
    taken.set(nodes.size());
    this.saver = file == null ? null : new RegistrySaver(file, this::nodes, log, settings.heartbeatSaveDelay());
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

  /**
   * Adds the node, or replaces it whole when the id is known (a node that re-registers may serve other models). It
   * is routable at once; the future completes when the change is on disk (at once when the registry is in memory),
   * and fails with {@link RegistrySaver.NotSaved} when the save failed.
   */
  public CompletableFuture<Node> register(Registration registration) throws Full {
    Node registered = Node.registered(registration, clock.instant());
    Node node = nodes.compute(registered.nodeId(), (id, known) -> known != null || reserveSlot() ? registered : null);
    if (node == null) {
      throw new Full();
    }
    traffic.forgive(node.nodeId());
    probedSlots.forget(node.nodeId());
    return saved(node);
  }

  /**
   * Marks the node seen now, with the load it reported; null when the id is unknown (it must register again). Not
   * waited for on disk: the registry is saved within the heartbeat save delay, or with the next registration.
   */
  public Node heartbeat(Heartbeat heartbeat) {
    Node node = nodes.computeIfPresent(heartbeat.nodeId(),
        (id, known) -> known.seen(clock.instant(), heartbeat.load(), heartbeat.slots()));
    if (node != null && saver != null) {
      saver.touch();
    }
    return node;
  }

  /** Completes with false for an unknown id, with true once the removal is on disk. */
  public CompletableFuture<Boolean> deregister(String nodeId) {
    boolean[] removed = {false};
    nodes.computeIfPresent(nodeId, (id, known) -> {
      removed[0] = true;
      taken.decrementAndGet();
      return null;
    });
    return removed[0] ? saved(true) : CompletableFuture.completedFuture(false);
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

  public ProbedSlots probedSlots() {
    return probedSlots;
  }

  /** Blocks until the changes made so far are saved. */
  public void close() {
    if (saver != null) {
      saver.close();
    }
  }

  private boolean reserveSlot() {
    return taken.getAndUpdate(count -> count < MAX_NODES ? count + 1 : count) < MAX_NODES;
  }

  private <T> CompletableFuture<T> saved(T result) {
    return saver == null ? CompletableFuture.completedFuture(result) : saver.save().thenApply(done -> result);
  }
}
