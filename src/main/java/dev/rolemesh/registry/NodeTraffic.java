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
  private final ConcurrentHashMap<String, Instant> coolUntil = new ConcurrentHashMap<>();

  NodeTraffic(InstantSource clock) {
    this.clock = clock;
  }

  /** A request was sent to the node; pair with exactly one {@link #finished}. */
  public void dispatched(String nodeId) {
    inFlight.merge(nodeId, 1, Integer::sum);
  }

  /**
   * A request goes to the node if it has room among its {@code slots} (0: unknown, always room), checked and counted
   * in one atomic step so that two event loops cannot both take its last slot; pair a true with one {@link #finished}.
   */
  public boolean tryDispatch(String nodeId, int slots) {
    if (slots <= 0) {
      dispatched(nodeId);
      return true;
    }
    return Slots.take(inFlight, nodeId, slots);
  }

  /**
   * @param failedBeforeResponse the node refused, timed out connecting or dropped the request before any response
   *     head: it starts a cooldown
   */
  public void finished(String nodeId, boolean failedBeforeResponse) {
    // Entries at zero are removed so nodes that come and go leave nothing behind.
    inFlight.computeIfPresent(nodeId, (id, count) -> count <= 1 ? null : count - 1);
    if (failedBeforeResponse) {
      coolUntil.put(nodeId, clock.instant().plus(COOLDOWN));
    }
  }

  public int inFlight(String nodeId) {
    return inFlight.getOrDefault(nodeId, 0);
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
