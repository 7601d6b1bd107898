package dev.rolemesh.admission;

import dev.rolemesh.config.ModelConfig;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every role's {@link RoleQueue}, kept for the gateway's life: a config reload hands the same queues to the next
 * state with the new limits, so nobody waiting loses their place.
 */
public final class Queues {

  private final ConcurrentHashMap<String, RoleQueue> byAlias = new ConcurrentHashMap<>();
  private final AtomicInteger allWaiting = new AtomicInteger();

  /**
   * Puts the config's limits in force for arrivals from now on: each model's queue is made or updated; a removed
   * one drains as it can. Call {@link #slotFreed} once the config serves, for limits that let waiters go.
   */
  public void configure(Collection<ModelConfig> models) {
    for (ModelConfig model : models) {
      byAlias.compute(model.alias(), (alias, queue) -> {
        if (queue == null) {
          return new RoleQueue(model.queue(), allWaiting);
        }
        queue.limits(model.queue());
        return queue;
      });
    }
  }

  /** The alias's queue; null for an alias no config has named. */
  public RoleQueue of(String alias) {
    return byAlias.get(alias);
  }

  /**
   * A backend may have room now (a request ended, a node registered, limits changed): the first in line of each
   * queue get what is free. Free of cost while nobody waits, which is nearly always.
   */
  public void slotFreed() {
    if (allWaiting.get() == 0) {
      return;
    }
    byAlias.values().forEach(queue -> {
      if (!queue.idle()) {
        queue.pump();
      }
    });
  }

  /** Requests waiting now, by alias, for every alias that has a queue. */
  public Map<String, Integer> waiting() {
    Map<String, Integer> out = new TreeMap<>();
    byAlias.forEach((alias, queue) -> out.put(alias, queue.waiting()));
    return out;
  }
}
