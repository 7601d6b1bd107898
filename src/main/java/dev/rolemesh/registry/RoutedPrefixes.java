package dev.rolemesh.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@code cache_affinity} remembers: per node, the conversation chain links (and run ids) of the requests recently
 * routed there, each a bounded LRU, since a node's slots hold only its recent prompts anyway. Shared by all event
 * loops; each node's memory is locked only for a lookup or an update.
 */
final class RoutedPrefixes {

  /** Links kept per node: some hundred agent conversations of tens of turns. */
  static final int LINKS_PER_NODE = 8192;

  /** Runs kept per node. */
  static final int RUNS_PER_NODE = 1024;

  private final ConcurrentHashMap<String, Memory> byNode = new ConcurrentHashMap<>();

  /** Leading links of {@code chain} recently routed to the node. */
  int matched(String nodeId, long[] chain) {
    Memory memory = byNode.get(nodeId);
    return memory == null ? 0 : memory.matched(chain);
  }

  boolean runSeen(String nodeId, String run) {
    Memory memory = byNode.get(nodeId);
    return memory != null && run != null && memory.runSeen(run);
  }

  /** @return whether the node was new to this memory: the caller then {@link #retain}s the registered ones */
  boolean remember(String nodeId, long[] chain, String run) {
    boolean[] added = {false};
    byNode.computeIfAbsent(nodeId, id -> {
      added[0] = true;
      return new Memory();
    }).remember(chain, run);
    return added[0];
  }

  /** Drops what is remembered of nodes no longer registered, so node ids that come and go leave nothing behind. */
  void retain(Set<String> nodeIds) {
    byNode.keySet().retainAll(nodeIds);
  }

  private static final class Memory {
    private final Lru<Long> links = new Lru<>(LINKS_PER_NODE);
    private final Lru<String> runs = new Lru<>(RUNS_PER_NODE);

    synchronized int matched(long[] chain) {
      // links are remembered whole chains at a time, so the longest one known ends the matching prefix
      for (int i = chain.length - 1; i >= 0; i--) {
        if (links.containsKey(chain[i])) {
          return i + 1;
        }
      }
      return 0;
    }

    synchronized boolean runSeen(String run) {
      return runs.containsKey(run);
    }

    synchronized void remember(long[] chain, String run) {
      for (long link : chain) {
        links.put(link, Boolean.TRUE);
      }
      if (run != null) {
        runs.put(run, Boolean.TRUE);
      }
    }
  }

  private static final class Lru<K> extends LinkedHashMap<K, Boolean> {
    private final int capacity;

    Lru(int capacity) {
      super(16, 0.75f, true);
      this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, Boolean> eldest) {
      return size() > capacity;
    }
  }
}
