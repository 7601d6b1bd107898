package dev.rolemesh.config;

import java.net.URI;

/** Where a model's requests go: a fixed upstream, or whichever registered node serves a role. */
public sealed interface ModelTarget {

  /**
   * {@code type: proxy}.
   *
   * @param baseUrl scheme, host, port and optional path prefix; never ends with {@code /} or {@code /v1}
   * @param apiKey sent upstream as {@code Authorization: Bearer}, or {@code null}
   * @param tls the CA (and client certificate) for an https upstream, or null for the JDK's trusted roots
   * @param maxConcurrent {@code max_concurrent}: requests the upstream takes at once, the rest wait in the role's
   *     queue; 0 for no limit
   */
  record Proxy(URI baseUrl, String apiKey, ClientTls tls, int maxConcurrent) implements ModelTarget {

    public Proxy(URI baseUrl, String apiKey, ClientTls tls) {
      this(baseUrl, apiKey, tls, 0);
    }

    public Proxy(URI baseUrl, String apiKey) {
      this(baseUrl, apiKey, null);
    }
  }

  /**
   * {@code type: discovered}.
   *
   * @param affinityMargin {@code affinity_margin}: for {@code cache_affinity}, how many more requests in flight than
   *     the least loaded node a node may have and still get a request for the cache it holds
   */
  record Discovered(String role, Strategy strategy, int affinityMargin) implements ModelTarget {

    public static final int DEFAULT_AFFINITY_MARGIN = 2;

    public Discovered(String role, Strategy strategy) {
      this(role, strategy, DEFAULT_AFFINITY_MARGIN);
    }
  }

  /** How a discovered alias picks among the fresh nodes serving its role. */
  enum Strategy {
    ROUND_ROBIN,
    RANDOM,
    LEAST_BUSY,
    CACHE_AFFINITY;

    /** The spelling used in config files. */
    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
