package dev.rolemesh.auth;

/**
 * Who sent a request, as far as the gateway can tell: the name of the key it presented, for per-key limits and
 * metrics; never the key itself.
 *
 * @param keyName e.g. {@code client_api_keys[0]}, or null when no key is required of this kind of caller
 */
public record Principal(String keyName) {

  /** A caller of an endpoint that needs no key. */
  public static final Principal ANONYMOUS = new Principal(null);
}
