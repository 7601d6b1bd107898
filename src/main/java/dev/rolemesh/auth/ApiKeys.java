package dev.rolemesh.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * A set of accepted keys. Keys are compared as SHA-256 digests with {@link MessageDigest#isEqual}, over every
 * configured key without stopping early, so neither the position of a match nor a key's length leaks through timing.
 *
 * <p>A matched key is named by its place in the config ({@code client_api_keys[0]}): keys are plain strings today,
 * and the name must never be the key itself, since it goes to logs and metrics.
 */
public final class ApiKeys {

  private final String label;
  private final List<byte[]> digests;

  /** @param label the config key the keys came from, e.g. {@code client_api_keys}: names a matched key */
  public ApiKeys(String label, List<String> keys) {
    this.label = label;
    this.digests = keys.stream().map(ApiKeys::sha256).toList();
  }

  public ApiKeys(List<String> keys) {
    this("key", keys);
  }

  /** An empty set means this kind of caller needs no key at all. */
  public boolean required() {
    return !digests.isEmpty();
  }

  public boolean matches(String presented) {
    return match(presented) != null;
  }

  /** The caller holding {@code presented}, or null when it is none of these keys. */
  public Principal match(String presented) {
    if (presented == null) {
      return null;
    }
    byte[] candidate = sha256(presented);
    int found = -1;
    for (int i = 0; i < digests.size(); i++) {
      if (MessageDigest.isEqual(digests.get(i), candidate) & found < 0) {
        found = i;
      }
    }
    return found < 0 ? null : new Principal(label + "[" + found + "]");
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
