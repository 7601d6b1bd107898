package dev.rolemesh.config;

import java.time.Duration;

/**
 * Upstream time limits.
 *
 * @param connect longest wait for the TCP connection to the upstream
 * @param read longest silence allowed while waiting for response headers or between two body chunks
 * @param total cap on the whole exchange, or {@code null} for none: long generations are normal
 */
public record Timeouts(Duration connect, Duration read, Duration total) {

  public static final Timeouts DEFAULTS =
      new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(300), null);
}
