package dev.rolemesh.config;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The {@code auth:} section: an empty key list means that kind of caller needs no key.
 *
 * @param nodeUpstreamKey sent to discovered nodes as {@code Authorization: Bearer} (one of their {@code
 *     auth.api_keys}), or null
 * @param metricsApiKeys keys that may read {@code /metrics} and the status API (as a client key may), for a
 *     scraper that should not be able to run inference
 * @param nodeNetworks where registered nodes may be ({@code base_url} must be an IP address inside one of them), or
 *     empty for anywhere but the link-local and cloud-metadata addresses refused to every node
 */
public record AuthConfig(List<ClientKey> clientKeys, List<String> nodeApiKeys, String nodeUpstreamKey,
    List<String> metricsApiKeys, List<Cidr> nodeNetworks) {

  public static final AuthConfig OPEN = new AuthConfig(List.of(), List.of());

  /** Plain client keys, without names, scopes or limits. */
  public AuthConfig(List<String> clientApiKeys, List<String> nodeApiKeys) {
    this(clientApiKeys, nodeApiKeys, List.of());
  }

  public AuthConfig(List<String> clientApiKeys, List<String> nodeApiKeys, List<String> metricsApiKeys) {
    this(clientApiKeys, nodeApiKeys, metricsApiKeys, List.of());
  }

  public AuthConfig(List<String> clientApiKeys, List<String> nodeApiKeys, List<String> metricsApiKeys,
      List<Cidr> nodeNetworks) {
    this(IntStream.range(0, clientApiKeys.size())
        .mapToObj(i -> ClientKeys.plain(clientApiKeys.get(i), i))
        .toList(), nodeApiKeys, null, metricsApiKeys, nodeNetworks);
  }

  public AuthConfig(List<ClientKey> clientKeys, List<String> nodeApiKeys, String nodeUpstreamKey) {
    this(clientKeys, nodeApiKeys, nodeUpstreamKey, List.of(), List.of());
  }
}
