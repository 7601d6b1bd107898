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
    Instant at = Instant.now();
    log.record(gen -> {
      JsonLog.writeHeader(gen, at, entry.status() >= 500 ? "warn" : "info", "request");
      gen.writeStringField("request_id", entry.requestId());
      gen.writeStringField("method", entry.method());
      gen.writeStringField("path", entry.path());
      gen.writeStringField("alias", entry.alias());
      gen.writeStringField("upstream", entry.upstream());
      if (entry.key() != null) {
        gen.writeStringField("key", entry.key());
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
    });
  }

  /**
   * @param alias the role the request resolved to, or null when it was rejected before that
   * @param upstream the backend's base URL, or null when none was chosen
   * @param attempts how many backends were tried (more than one after a failover)
   * @param error why the exchange did not complete normally (client left, upstream reset, timeout), or null
   * @param key the name of the client key the request came with (never the key), or null
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
      String key) {}
}
