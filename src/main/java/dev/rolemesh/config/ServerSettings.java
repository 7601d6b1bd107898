package dev.rolemesh.config;

import java.time.Duration;

/**
 * The {@code gateway:} section.
 *
 * @param timeouts defaults for every model that does not set its own
 * @param maxBodyBytes largest accepted request body ({@code gateway.max_body_mb}, default 32 MiB)
 * @param probeTimeout how long one availability probe of an upstream may take ({@code gateway.probe_timeout_s})
 * @param probeCacheTtl how long a probe result is reused ({@code gateway.probe_cache_s})
 * @param metrics whether traffic is recorded for /metrics, the status API and the dashboard ({@code
 *     gateway.metrics}, default true; off only to measure what recording costs)
 * @param maxInflightBodyBytes the bytes of request bodies held at once across all requests
 *     ({@code gateway.max_inflight_body_mb}), or null for a quarter of the heap
 * @param tls the listener's certificate ({@code gateway.tls}), or null for plain HTTP
 * @param nodeTls how to call discovered nodes at https addresses ({@code gateway.node_tls}), or null
 * @param clientTimeouts how long the gateway waits on its clients ({@code gateway.client_timeouts})
 * @param shutdownGrace how long a stopping gateway lets requests in flight finish before it cuts them
 *     ({@code gateway.shutdown_grace_s}, default 30)
 * @param queue the admission queue of every model that does not set its own ({@code gateway.queue})
 */
public record ServerSettings(
    String host,
    int port,
    Timeouts timeouts,
    long maxBodyBytes,
    Duration probeTimeout,
    Duration probeCacheTtl,
    boolean metrics,
    Long maxInflightBodyBytes,
    ServerTls tls,
    ClientTls nodeTls,
    ClientTimeouts clientTimeouts,
    Duration shutdownGrace,
    QueueSettings queue) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8000;
  public static final long DEFAULT_MAX_BODY_BYTES = 32L * 1024 * 1024;
  public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_PROBE_CACHE_TTL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

  public ServerSettings(String host, int port, Timeouts timeouts, long maxBodyBytes, Duration probeTimeout,
      Duration probeCacheTtl, boolean metrics, Long maxInflightBodyBytes, ServerTls tls, ClientTls nodeTls,
      ClientTimeouts clientTimeouts, Duration shutdownGrace) {
    this(host, port, timeouts, maxBodyBytes, probeTimeout, probeCacheTtl, metrics, maxInflightBodyBytes, tls, nodeTls,
        clientTimeouts, shutdownGrace, QueueSettings.DEFAULTS);
  }

  /** Plain HTTP, and the JDK's trusted roots for https nodes. */
  public ServerSettings(String host, int port, Timeouts timeouts, long maxBodyBytes, Duration probeTimeout,
      Duration probeCacheTtl) {
    this(host, port, timeouts, maxBodyBytes, probeTimeout, probeCacheTtl, true);
  }

  public ServerSettings(String host, int port, Timeouts timeouts, long maxBodyBytes, Duration probeTimeout,
      Duration probeCacheTtl, boolean metrics) {
    this(host, port, timeouts, maxBodyBytes, probeTimeout, probeCacheTtl, metrics, null);
  }

  public ServerSettings(String host, int port, Timeouts timeouts, long maxBodyBytes, Duration probeTimeout,
      Duration probeCacheTtl, boolean metrics, Long maxInflightBodyBytes) {
    this(host, port, timeouts, maxBodyBytes, probeTimeout, probeCacheTtl, metrics, maxInflightBodyBytes, null, null,
        ClientTimeouts.DEFAULTS, DEFAULT_SHUTDOWN_GRACE);
  }

  public ServerSettings withListen(String newHost, int newPort) {
    return new ServerSettings(newHost, newPort, timeouts, maxBodyBytes, probeTimeout, probeCacheTtl, metrics,
        maxInflightBodyBytes, tls, nodeTls, clientTimeouts, shutdownGrace, queue);
  }
}
