package dev.rolemesh.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * A set of accepted keys. Keys are compared as SHA-256 digests with {@link MessageDigest#isEqual}, over every
 * configured key without stopping early, so neither the position of a match nor a key's length leaks through timing.
 */
public final class ApiKeys {

  private final List<byte[]> digests;

  public ApiKeys(List<String> keys) {
    this.digests = keys.stream().map(ApiKeys::sha256).toList();
  }

  /** An empty set means this kind of caller needs no key at all. */
  public boolean required() {
    return !digests.isEmpty();
  }

  public boolean matches(String presented) {
    if (presented == null) {
      return false;
    }
    byte[] candidate = sha256(presented);
    boolean match = false;
    for (byte[] digest : digests) {
      match |= MessageDigest.isEqual(digest, candidate);
    }
    return match;
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
