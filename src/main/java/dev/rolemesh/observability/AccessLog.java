package dev.rolemesh.observability;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one structured line written per proxied request, after it finished (or failed). */
public final class AccessLog {

  private final JsonLog log;

  public AccessLog(JsonLog log) {
    this.log = log;
  }

  /**
   * @param entry what happened; {@code ttfbMs} is -1 when no byte reached the client from upstream
   */
  public void write(Entry entry) {
    Map<String, Object> fields = new LinkedHashMap<>(20);
    fields.put("ts", Instant.now().toString());
    fields.put("level", entry.status() >= 500 ? "warn" : "info");
    fields.put("event", "request");
    fields.put("request_id", entry.requestId());
    fields.put("method", entry.method());
    fields.put("path", entry.path());
    fields.put("alias", entry.alias());
    fields.put("upstream", entry.upstream());
    fields.put("status", entry.status());
    fields.put("duration_ms", entry.durationMs());
    fields.put("ttfb_ms", entry.ttfbMs() < 0 ? null : entry.ttfbMs());
    fields.put("bytes", entry.bytes());
    fields.put("stream", entry.stream());
    if (entry.attempts() > 1) {
      fields.put("attempts", entry.attempts());
    }
    if (entry.error() != null) {
      fields.put("error", entry.error());
    }
    log.record(fields);
  }

  /**
   * @param alias the role the request resolved to, or null when it was rejected before that
   * @param upstream the backend's base URL, or null when none was chosen
   * @param attempts how many backends were tried (more than one after a failover)
   * @param error why the exchange did not complete normally (client left, upstream reset, timeout), or null
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
      String error) {}
}
