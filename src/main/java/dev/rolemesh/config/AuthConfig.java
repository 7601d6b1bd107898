package dev.rolemesh.config;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The {@code auth:} section: an empty list means that kind of caller needs no key.
 *
 * @param nodeUpstreamKey sent to discovered nodes as {@code Authorization: Bearer} (one of their {@code
 *     auth.api_keys}), or null
 */
public record AuthConfig(List<ClientKey> clientKeys, List<String> nodeApiKeys, String nodeUpstreamKey) {

  public static final AuthConfig OPEN = new AuthConfig(List.of(), List.of(), null);

  /** Plain client keys, without names, scopes or limits. */
  public AuthConfig(List<String> clientApiKeys, List<String> nodeApiKeys) {
    this(IntStream.range(0, clientApiKeys.size())
        .mapToObj(i -> ClientKeys.plain(clientApiKeys.get(i), i))
        .toList(), nodeApiKeys, null);
  }
}
