package dev.rolemesh.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * One entry of {@code auth.client_api_keys}: a plain string there is a key with no name, scope or limits.
 *
 * @param sha256 the key's SHA-256 digest in lower-case hex ({@code key_sha256}, or computed from {@code key}): the
 *     key itself is not kept
 * @param name what logs and metrics call the caller; {@code client_api_keys[2]} when the config gives none
 * @param roles the aliases this key may use, or null for every one
 * @param rpm requests per minute, 0 for no limit
 * @param tpm tokens per minute (from the responses' usage), 0 for no limit
 * @param maxConcurrent requests in flight at once, 0 for no limit
 */
public record ClientKey(String sha256, String name, Set<String> roles, int rpm, int tpm, int maxConcurrent) {

  /** Whether any limit applies: only such keys carry counters on the request path. */
  public boolean limited() {
    return rpm > 0 || tpm > 0 || maxConcurrent > 0;
  }

  /** The digest keys are kept and compared as, here and in {@code auth.ApiKeys}. */
  public static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
