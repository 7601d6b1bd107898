package dev.rolemesh.admission;

import dev.rolemesh.config.ModelConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every role's {@link RoleQueue}, kept for the gateway's life: a config reload hands the same queues to the next
 * state with the new limits, so nobody waiting loses their place.
 */
public final class Queues {

  private final ConcurrentHashMap<String, RoleQueue> byAlias = new ConcurrentHashMap<>();
  private final AtomicInteger allWaiting = new AtomicInteger();
  private final AtomicLong arrivals = new AtomicLong();
  private final AtomicLong queuedBodyBytes = new AtomicLong();

  /**
   * Puts the config's limits in force for arrivals from now on: each model's queue is made or updated; a removed
   * one drains as it can. Call {@link #slotFreed} once the config serves, for limits that let waiters go.
   */
  public void configure(Collection<ModelConfig> models) {
    for (ModelConfig model : models) {
      byAlias.compute(model.alias(), (alias, queue) -> {
        if (queue == null) {
          return new RoleQueue(model.queue(), allWaiting, arrivals, queuedBodyBytes);
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
   * A backend may have room now (a request ended, a node registered, limits changed): the first in line of the
   * queues get what is free, the one that has waited longest first, since queues may wait for the same slots (two
   * aliases of one discovered role, two roles of one model). Free of cost while nobody waits, which is nearly always.
   */
  public void slotFreed() {
    while (allWaiting.get() > 0 && admitOldest()) {
      // a slot went to a waiter: another may be free too
    }
  }

  /** Hands a free slot to the longest-waiting first in line that has one; false when none has. */
  private boolean admitOldest() {
    // Read once each, then sorted: other event loops change the queues meanwhile.
    record First(RoleQueue queue, long arrival) {}
    List<First> firsts = new ArrayList<>();
    byAlias.values().forEach(queue -> {
      if (!queue.idle()) {
        firsts.add(new First(queue, queue.firstArrival()));
      }
    });
    firsts.sort(Comparator.comparingLong(First::arrival));
    for (First first : firsts) {
      if (first.queue().admitFirst()) {
        return true;
      }
    }
    return false;
  }

  /** Requests waiting now, by alias, for every alias that has a queue. */
  public Map<String, Integer> waiting() {
    Map<String, Integer> out = new TreeMap<>();
    byAlias.forEach((alias, queue) -> out.put(alias, queue.waiting()));
    return out;
  }
}
