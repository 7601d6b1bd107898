package dev.rolemesh.observability;

import java.time.Instant;

/**
 * The one structured line written per proxied request, after it finished (or failed). The event loop only captures
 * the entry and the time; the JSON is written by the log thread.
 */
public final class AccessLog {

  private final JsonLog log;

  public AccessLog(JsonLog log) {
    this.log = log;
  }

  /**
   * @param entry what happened; {@code ttfbMs} is -1 when no byte reached the client from upstream
   */
  public void write(Entry entry) {
    boolean failed = entry.status() >= 500;
    if (!log.writes(failed ? LogSettings.Level.WARN : LogSettings.Level.INFO)) {
      return;
    }
    Instant at = Instant.now();
    log.record(gen -> {
      JsonLog.writeHeader(gen, at, failed ? "warn" : "info", "request");
      gen.writeStringField("request_id", entry.requestId());
      gen.writeStringField("method", entry.method());
      gen.writeStringField("path", entry.path());
      gen.writeStringField("alias", entry.alias());
      gen.writeStringField("upstream", entry.upstream());
      if (entry.servedBy() != null) {
        gen.writeStringField("served_by", entry.servedBy());
      }
      gen.writeNumberField("status", entry.status());
      gen.writeNumberField("duration_ms", entry.durationMs());
      if (entry.ttfbMs() < 0) {
        gen.writeNullField("ttfb_ms");
      } else {
        gen.writeNumberField("ttfb_ms", entry.ttfbMs());
      }
      gen.writeNumberField("bytes", entry.bytes());
      gen.writeBooleanField("stream", entry.stream());
      if (entry.attempts() > 1) {
        gen.writeNumberField("attempts", entry.attempts());
      }
      if (entry.error() != null) {
        gen.writeStringField("error", entry.error());
      }
      if (entry.run() != null) {
        gen.writeStringField("run", entry.run());
      }
      if (entry.keyName() != null) {
        gen.writeStringField("key", entry.keyName());
      }
      if (entry.inputTokens() >= 0) {
        gen.writeNumberField("input_tokens", entry.inputTokens());
      }
      if (entry.outputTokens() >= 0) {
        gen.writeNumberField("output_tokens", entry.outputTokens());
      }
      if (entry.queueMs() >= 0) {
        gen.writeNumberField("queue_ms", entry.queueMs());
      }
    });
  }

  /**
   * @param alias the role the request resolved to, or null when it was rejected before that
   * @param upstream the backend's base URL, or null when none was chosen
   * @param attempts how many backends were tried (more than one after a failover)
   * @param error why the exchange did not complete normally (client left, upstream reset, timeout), or null
   * @param node the id of the node that answered, or null for a fixed upstream or none
   * @param keyName the name of the client key presented ({@code client_api_keys[0]}), or null
   * @param run the agent run the request belongs to ({@code X-RoleMesh-Run}, else the body's {@code user}), or null
   * @param inputTokens prompt tokens from the backend's usage or timings, or -1 when unknown
   * @param outputTokens generated tokens likewise, or -1
   * @param servedBy the fallback role whose backend ({@code upstream}, {@code node}) the request went to last,
   *     because {@code alias} could not take it; null when it stayed with {@code alias}
   * @param queueMs how long the request waited in a role's queue for a free slot, or -1 when it never queued
   *     (a backend had room as it arrived)
   */
  public record Entry(
      String requestId,
      String method,
      String path,
      String alias,
      String upstream,
      int status,
      double durationMs,
      double ttfbMs,
      long bytes,
      boolean stream,
      int attempts,
      String error,
      String node,
      String keyName,
      String run,
      long inputTokens,
      long outputTokens,
      String servedBy,
      double queueMs) {

    /** An inference request (one that named a role, or any POST to the OpenAI API), not a probe or a scrape. */
    public boolean inference() {
      return alias != null || ("POST".equals(method) && path.startsWith("/v1/") && !path.startsWith("/v1/nodes"));
    }

    /** A request that never queued. */
    public Entry(String requestId, String method, String path, String alias, String upstream, int status,
        double durationMs, double ttfbMs, long bytes, boolean stream, int attempts, String error, String node,
        String keyName, String run, long inputTokens, long outputTokens, String servedBy) {
      this(requestId, method, path, alias, upstream, status, durationMs, ttfbMs, bytes, stream, attempts, error,
          node, keyName, run, inputTokens, outputTokens, servedBy, -1);
    }

    /** A request with no node, key, run or token counts behind it (the node agent's own log). */
    public Entry(String requestId, String method, String path, String alias, String upstream, int status,
        double durationMs, double ttfbMs, long bytes, boolean stream, int attempts, String error) {
      this(requestId, method, path, alias, upstream, status, durationMs, ttfbMs, bytes, stream, attempts, error,
          null, null, null, -1, -1, null);
    }
  }
}
