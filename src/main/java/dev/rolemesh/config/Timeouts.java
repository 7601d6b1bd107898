package dev.rolemesh.config;

import java.time.Duration;

/**
 * Upstream time limits.
 *
 * @param connect longest wait for the TCP connection to the upstream
 * @param read longest silence allowed while waiting for response headers or between two body chunks
 * @param total cap on the whole exchange, or {@code null} for none: long generations are normal
 * @param writeStall longest time a response may sit unable to write to its client (who stopped reading) before it
 *     is cut and the upstream connection closed, which frees the backend's slot
 */
public record Timeouts(Duration connect, Duration read, Duration total, Duration writeStall) {

  public static final Duration DEFAULT_WRITE_STALL = Duration.ofSeconds(60);

  public static final Timeouts DEFAULTS =
      new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(300), null, DEFAULT_WRITE_STALL);

  /** Limits with the default {@code write_stall_s}. */
  public Timeouts(Duration connect, Duration read, Duration total) {
    this(connect, read, total, DEFAULT_WRITE_STALL);
  }
}
