package dev.rolemesh.config;

import java.time.Duration;

/**
 * Limits on what a client may make the server wait for ({@code client_timeouts}), so idle or deliberately slow
 * connections (slowloris) cannot pile up. Nothing here limits a request that is waiting on its backend.
 *
 * @param header longest time from a new connection to a complete request head
 * @param idle longest time a kept-alive connection may wait, with no request in flight, for its next request
 * @param bodyMinBytesPerSecond slowest average rate a request body may arrive at, once {@code bodyGrace} has passed
 *     since its head
 * @param bodyGrace how long a body may take before its rate is judged: a slow start (a phone on a bad link) is not
 *     a slow body. Fixed at 10 s in configs; tests shorten it.
 */
public record ClientTimeouts(Duration header, Duration idle, long bodyMinBytesPerSecond, Duration bodyGrace) {

  public static final Duration BODY_GRACE = Duration.ofSeconds(10);

  public static final ClientTimeouts DEFAULTS =
      new ClientTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), 1024, BODY_GRACE);

  /** Reads a {@code client_timeouts:} mapping; each key left out keeps its default. */
  public static ClientTimeouts read(ConfigNode node) throws ConfigException {
    ConfigMap map = node.asMap();
    ClientTimeouts limits = new ClientTimeouts(
        map.get("header_s").readOr(DEFAULTS.header(), ConfigNode::asSeconds),
        map.get("idle_s").readOr(DEFAULTS.idle(), ConfigNode::asSeconds),
        map.get("body_min_bytes_s").readOr(DEFAULTS.bodyMinBytesPerSecond(),
            rate -> (long) Math.ceil(rate.asPositiveNumber())),
        BODY_GRACE);
    map.warnUnknownKeys();
    return limits;
  }
}
