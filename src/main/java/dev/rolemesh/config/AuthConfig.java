package dev.rolemesh.config;

import java.util.List;

/**
 * The {@code auth:} section: an empty list means that kind of caller needs no key.
 *
 * @param metricsApiKeys keys that may read {@code /metrics} and the status API (as a client key may), for a
 *     scraper that should not be able to run inference
 */
public record AuthConfig(List<String> clientApiKeys, List<String> nodeApiKeys, List<String> metricsApiKeys) {

  public static final AuthConfig OPEN = new AuthConfig(List.of(), List.of());

  public AuthConfig(List<String> clientApiKeys, List<String> nodeApiKeys) {
    this(clientApiKeys, nodeApiKeys, List.of());
  }
}
