package dev.rolemesh.sim;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The counters behind {@link SimStats}. Written on the server's event loop, read from any thread via
 * {@link #snapshot()}, hence synchronized.
 */
final class StatsRecorder {

  static final int RECENT_LIMIT = 32;

  private long requestsTotal;
  private int active;
  private long cancelledTotal;
  private long completedTotal;
  private long lastCancelEpochMs;
  private int connectionsOpen;
  private final Map<String, Long> requestsByPath = new LinkedHashMap<>();
  private final Deque<SimStats.RecordedRequest> recent = new ArrayDeque<>();

  synchronized void counted(String path) {
    requestsTotal++;
    requestsByPath.merge(path, 1L, Long::sum);
  }

  synchronized void recorded(SimStats.RecordedRequest request) {
    if (recent.size() == RECENT_LIMIT) {
      recent.removeFirst();
    }
    recent.addLast(request);
  }

  synchronized void started() {
    active++;
  }

  synchronized void completed() {
    active--;
    completedTotal++;
  }

  synchronized void cancelled() {
    active--;
    cancelledTotal++;
    lastCancelEpochMs = System.currentTimeMillis();
  }

  synchronized void aborted() {
    active--;
  }

  synchronized void connectionOpened() {
    connectionsOpen++;
  }

  synchronized void connectionClosed() {
    connectionsOpen--;
  }

  synchronized SimStats snapshot() {
    return new SimStats(
        requestsTotal,
        active,
        cancelledTotal,
        completedTotal,
        lastCancelEpochMs,
        connectionsOpen,
        Collections.unmodifiableMap(new LinkedHashMap<>(requestsByPath)),
        recent.peekLast(),
        List.copyOf(recent));
  }
}
