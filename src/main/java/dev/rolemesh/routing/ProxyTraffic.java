package dev.rolemesh.routing;

import dev.rolemesh.admission.Slots;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests in flight to each fixed-upstream role with a {@code max_concurrent}. Shared by every event loop and kept
 * across config versions (a reload must not forget what is in flight); every update is one atomic map operation.
 * Roles without a limit are not counted at all.
 */
final class ProxyTraffic {

  private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

  /** One more request to the role's upstream if it has room under {@code limit} (> 0); false when it is full. */
  boolean tryDispatch(String alias, int limit) {
    return Slots.take(inFlight, alias, limit);
  }

  void finished(String alias) {
    inFlight.computeIfPresent(alias, (key, count) -> count <= 1 ? null : count - 1);
  }

  int inFlight(String alias) {
    return inFlight.getOrDefault(alias, 0);
  }
}
