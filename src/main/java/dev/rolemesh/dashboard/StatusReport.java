package dev.rolemesh.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import dev.rolemesh.observability.AccessLog;
import dev.rolemesh.registry.Node;
import dev.rolemesh.registry.NodeStore;
import dev.rolemesh.registry.ServedModel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON behind {@code GET /v1/status}, the dashboard and {@code rolemesh status}: roles with their live figures,
 * nodes, the last requests and the latest agent runs. Figures cover the last minute (or as much of it as the ring
 * still holds under heavy traffic).
 */
public final class StatusReport {

  static final long WINDOW_MS = 60_000;
  static final int FEED = 50;
  static final int RUNS = 20;

  /**
   * A role as the gateway sees it now.
   *
   * @param strategy how its backends are chosen ({@code fixed} for a proxy role)
   * @param reason why it cannot serve, or null when it can
   * @param waiting requests in its queue for a free slot now
   */
  public record RoleView(String role, String type, String strategy, boolean available, String reason, int waiting) {}

  private StatusReport() {}

  public static ObjectNode build(long version, String defaultRole, List<RoleView> roles, NodeStore nodes,
      Recorder recorder) {
    long now = System.currentTimeMillis();
    List<Recorder.Finished> recent = recorder.recent();
    long windowStart = Math.max(now - WINDOW_MS, recorder.startedMillis());
    // Under heavy traffic the ring may hold less than the window: rates are then over the span it does hold.
    if (recent.size() == Recorder.RING && recent.getFirst().atMillis() > windowStart) {
      windowStart = recent.getFirst().atMillis();
    }
    double spanSeconds = Math.max(1, now - windowStart) / 1000.0;
    ObjectNode out = Json.object();
    out.put("version", version);
    out.put("default_model", defaultRole);
    out.put("window_s", spanSeconds);
    ArrayNode roleArray = out.putArray("roles");
    for (RoleView role : roles) {
      List<AccessLog.Entry> entries = new ArrayList<>();
      for (Recorder.Finished finished : recent) {
        if (finished.atMillis() >= windowStart && role.role().equals(finished.entry().alias())) {
          entries.add(finished.entry());
        }
      }
      roleArray.add(role(role, recorder.inFlight(role.role()), entries, spanSeconds));
    }
    ArrayNode nodeArray = out.putArray("nodes");
    for (Node node : nodes.nodes()) {
      nodeArray.add(node(node, nodes));
    }
    ArrayNode feed = out.putArray("requests");
    for (int i = recent.size() - 1; i >= 0 && feed.size() < FEED; i--) {
      feed.add(step(recent.get(i)));
    }
    ArrayNode runArray = out.putArray("runs");
    for (Runs.Run run : recorder.runs().latest(RUNS)) {
      runArray.add(run(run));
    }
    return out;
  }

  private static ObjectNode role(RoleView view, long inFlight, List<AccessLog.Entry> entries, double spanSeconds) {
    ObjectNode out = Json.object();
    out.put("role", view.role());
    out.put("type", view.type());
    out.put("strategy", view.strategy());
    out.put("available", view.available());
    if (view.reason() != null) {
      out.put("reason", view.reason());
    }
    out.put("in_flight", inFlight);
    out.put("waiting", view.waiting());
    List<Double> ttfts = new ArrayList<>();
    List<Double> queued = new ArrayList<>();
    long outputTokens = 0;
    long errors = 0;
    for (AccessLog.Entry entry : entries) {
      if (entry.stream() && entry.status() == 200 && entry.ttfbMs() >= 0) {
        ttfts.add(entry.ttfbMs());
      }
      if (entry.queueMs() >= 0) {
        queued.add(entry.queueMs());
      }
      outputTokens += Math.max(0, entry.outputTokens());
      if (entry.status() >= 500) {
        errors++;
      }
    }
    out.put("requests", entries.size());
    out.put("req_per_s", round(entries.size() / spanSeconds));
    ttfts.sort(Double::compare);
    putOrNull(out, "ttft_p50_ms", percentile(ttfts, 0.50));
    putOrNull(out, "ttft_p95_ms", percentile(ttfts, 0.95));
    queued.sort(Double::compare);
    // over the requests that waited; the others waited 0
    putOrNull(out, "queue_p95_ms", percentile(queued, 0.95));
    out.put("tokens_per_s", round(outputTokens / spanSeconds));
    out.put("error_rate", entries.isEmpty() ? 0 : round((double) errors / entries.size()));
    return out;
  }

  private static ObjectNode node(Node node, NodeStore nodes) {
    ObjectNode out = Json.object();
    out.put("node_id", node.nodeId());
    out.put("base_url", node.baseUrl().toString());
    out.put("state", nodes.fresh(node) ? "fresh" : "stale");
    out.put("age_s", nodes.age(node).toMillis() / 1000.0);
    out.put("in_flight", nodes.traffic().inFlight(node.nodeId()));
    int probed = nodes.probedSlots().of(node.nodeId());
    if (probed > 0) {
      out.put("probed_slots", probed);
    }
    ArrayNode models = out.putArray("models");
    for (ServedModel model : node.servedModels()) {
      ObjectNode entry = models.addObject();
      entry.put("model_id", model.modelId());
      model.roles().forEach(entry.putArray("roles")::add);
      if (model.meta() != null) {
        entry.set("meta", model.meta());
      }
    }
    if (node.meta() != null) {
      out.set("meta", node.meta());
    }
    return out;
  }

  private static ObjectNode step(Recorder.Finished finished) {
    AccessLog.Entry entry = finished.entry();
    ObjectNode out = Json.object();
    out.put("at", Instant.ofEpochMilli(finished.atMillis()).toString());
    out.put("started_ms", Math.round(finished.atMillis() - entry.durationMs()));
    out.put("request_id", entry.requestId());
    out.put("role", entry.alias());
    out.put("node", entry.node() != null ? entry.node() : entry.upstream());
    out.put("status", entry.status());
    out.put("stream", entry.stream());
    putOrNull(out, "ttft_ms", entry.stream() && entry.ttfbMs() >= 0 ? entry.ttfbMs() : null);
    out.put("duration_ms", entry.durationMs());
    putOrNull(out, "input_tokens", entry.inputTokens() >= 0 ? (double) entry.inputTokens() : null);
    putOrNull(out, "output_tokens", entry.outputTokens() >= 0 ? (double) entry.outputTokens() : null);
    if (entry.run() != null) {
      out.put("run", entry.run());
    }
    return out;
  }

  private static ObjectNode run(Runs.Run run) {
    ObjectNode out = Json.object();
    out.put("run", run.id());
    ArrayNode steps = out.putArray("steps");
    long start = Long.MAX_VALUE;
    long end = 0;
    long input = 0;
    long output = 0;
    int errors = 0;
    for (Recorder.Finished finished : run.steps()) {
      steps.add(step(finished));
      start = Math.min(start, Math.round(finished.atMillis() - finished.entry().durationMs()));
      end = Math.max(end, finished.atMillis());
      input += Math.max(0, finished.entry().inputTokens());
      output += Math.max(0, finished.entry().outputTokens());
      errors += finished.entry().status() >= 400 ? 1 : 0;
    }
    out.put("started_ms", start);
    out.put("ended_ms", end);
    ObjectNode totals = out.putObject("totals");
    totals.put("steps", run.steps().size());
    totals.put("duration_ms", end - start);
    totals.put("input_tokens", input);
    totals.put("output_tokens", output);
    totals.put("errors", errors);
    return out;
  }

  private static Double percentile(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return null;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static void putOrNull(ObjectNode out, String field, Double value) {
    if (value == null) {
      out.putNull(field);
    } else if (value == Math.rint(value)) {
      out.put(field, value.longValue());
    } else {
      out.put(field, value);
    }
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
