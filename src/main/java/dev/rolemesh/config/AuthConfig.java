package dev.rolemesh.config;

import java.util.List;

/** The {@code auth:} section: an empty list means that kind of caller needs no key. */
public record AuthConfig(List<String> clientApiKeys, List<String> nodeApiKeys) {

  public static final AuthConfig OPEN = new AuthConfig(List.of(), List.of());
}
