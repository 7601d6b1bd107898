package dev.rolemesh.config;

import java.util.List;

/**
 * The {@code auth:} section: an empty key list means that kind of caller needs no key.
 *
 * @param metricsApiKeys keys that may read {@code /metrics} and the status API (as a client key may), for a
 *     scraper that should not be able to run inference
 * @param nodeNetworks where registered nodes may be ({@code base_url} must be an IP address inside one of them), or
 *     empty for anywhere but the link-local and cloud-metadata addresses refused to every node
 */
public record AuthConfig(List<String> clientApiKeys, List<String> nodeApiKeys, List<String> metricsApiKeys,
    List<Cidr> nodeNetworks) {

  public static final AuthConfig OPEN = new AuthConfig(List.of(), List.of());

  public AuthConfig(List<String> clientApiKeys, List<String> nodeApiKeys) {
    this(clientApiKeys, nodeApiKeys, List.of());
  }

  public AuthConfig(List<String> clientApiKeys, List<String> nodeApiKeys, List<String> metricsApiKeys) {
    this(clientApiKeys, nodeApiKeys, metricsApiKeys, List.of());
  }
}
