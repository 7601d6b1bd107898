package dev.rolemesh.dashboard;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Agent runs: the requests that named the same run, in the order they finished. Only the most recently active runs
 * are kept, each with its latest steps, so a client that makes up a run id per request cannot grow the gateway.
 * Only requests that name a run come here, so the lock is off the path of plain traffic.
 */
final class Runs {

  static final int MAX_RUNS = 50;
  static final int MAX_STEPS = 200;

  /** A run's steps (finished exchanges), oldest first. */
  record Run(String id, List<Recorder.Finished> steps) {}

  private final LinkedHashMap<String, List<Recorder.Finished>> byId = new LinkedHashMap<>(64, 0.75f, true);

  synchronized void add(Recorder.Finished step) {
    List<Recorder.Finished> steps = byId.computeIfAbsent(step.entry().run(), id -> new ArrayList<>());
    steps.add(step);
    if (steps.size() > MAX_STEPS) {
      steps.removeFirst();
    }
    if (byId.size() > MAX_RUNS) {
      Iterator<Map.Entry<String, List<Recorder.Finished>>> eldest = byId.entrySet().iterator();
      eldest.next();
      eldest.remove();
    }
  }

  /** The latest runs, the most recently active first. */
  synchronized List<Run> latest(int limit) {
    List<Run> out = new ArrayList<>();
    for (Map.Entry<String, List<Recorder.Finished>> run : byId.sequencedEntrySet().reversed()) {
      if (out.size() == limit) {
        break;
      }
      out.add(new Run(run.getKey(), List.copyOf(run.getValue())));
    }
    return out;
  }
}
