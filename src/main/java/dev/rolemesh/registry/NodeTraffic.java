package dev.rolemesh.registry;

import dev.rolemesh.admission.Slots;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this gateway has seen of its own traffic to each node: requests in flight (for least_busy) and a short
 * cooldown after a node failed before answering (passive health), so the next requests skip a node that is
 * probably down instead of paying a failed connection each. Shared by all event loops; every update is one atomic
 * map operation.
 */
public final class NodeTraffic {

  /** Long enough to spare a burst of requests a dead node, short enough that a node back up gets traffic soon. */
  static final Duration COOLDOWN = Duration.ofSeconds(5);

  private final InstantSource clock;
  private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();
  /**
   * Requests in flight to each model of a node whose slots are known, by node then model id: each model is its own
   * llama-server (the agent runs one per GPU), so one role's requests never take another's slots.
   */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Integer>> byModel = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Instant> coolUntil = new ConcurrentHashMap<>();

  NodeTraffic(InstantSource clock) {
    this.clock = clock;
  }

  /** A request was sent to the node; pair with exactly one {@link #finished}. */
  public void dispatched(String nodeId) {
    inFlight.merge(nodeId, 1, Integer::sum);
  }

  /**
   * A request goes to the node's {@code model} if that has room among its {@code slots} (0: unknown, always room,
   * and nothing more is looked up), checked and counted in one atomic step so that two event loops cannot both take
   * its last slot; pair a true with one {@link #finished} given the same slots.
   */
  public boolean tryDispatch(String nodeId, String model, int slots) {
    if (slots > 0 && !Slots.take(byModel.computeIfAbsent(nodeId, id -> new ConcurrentHashMap<>()), model, slots)) {
      return false;
    }
    dispatched(nodeId);
    return true;
  }

  /**
   * @param slots as given to {@link #tryDispatch}
   * @param failedBeforeResponse the node refused, timed out connecting or dropped the request before any response
   *     head: it starts a cooldown
   */
  public void finished(String nodeId, String model, int slots, boolean failedBeforeResponse) {
    // Entries at zero are removed so nodes that come and go leave nothing behind.
    inFlight.computeIfPresent(nodeId, (id, count) -> count <= 1 ? null : count - 1);
    if (slots > 0) {
      ConcurrentHashMap<String, Integer> models = byModel.get(nodeId);
      if (models != null) {
        models.computeIfPresent(model, (id, count) -> count <= 1 ? null : count - 1);
      }
    }
    if (failedBeforeResponse) {
      coolUntil.put(nodeId, clock.instant().plus(COOLDOWN));
    }
  }

  public int inFlight(String nodeId) {
    return inFlight.getOrDefault(nodeId, 0);
  }

  /** Requests in flight to the node's {@code model}, counted only while its slots are known. */
  public int inFlight(String nodeId, String model) {
    ConcurrentHashMap<String, Integer> models = byModel.get(nodeId);
    return models == null ? 0 : models.getOrDefault(model, 0);
  }

  /** Time left in the node's cooldown; zero when it is not cooling down. */
  public Duration cooldownLeft(String nodeId) {
    Instant until = coolUntil.get(nodeId);
    if (until == null) {
      return Duration.ZERO;
    }
    Duration left = Duration.between(clock.instant(), until);
    if (left.isNegative() || left.isZero()) {
      coolUntil.remove(nodeId, until);
      return Duration.ZERO;
    }
    return left;
  }

  boolean coolingDown(String nodeId) {
    return !cooldownLeft(nodeId).isZero();
  }

  /** A node that registers again has restarted: its past failures say nothing about it now. */
  void forgive(String nodeId) {
    coolUntil.remove(nodeId);
  }
}
