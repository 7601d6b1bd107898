package dev.rolemesh.auth;

/**
 * Who sent a request, as far as the gateway can tell: the name of the key it presented, for per-key limits, logs and
 * metrics; never the key itself.
 *
 * @param keyName the key's {@code name}, else its place in the config ({@code client_api_keys[0]}); null when no key
 *     is required of this kind of caller
 * @param policy the client key's scope and limits, or null when it has none (node keys, plain client keys)
 */
public record Principal(String keyName, KeyPolicy policy) {

  /** A caller of an endpoint that needs no key. */
  public static final Principal ANONYMOUS = new Principal(null, null);

  /** Whether this caller may use the role {@code alias}. */
  public boolean allows(String alias) {
    return policy == null || policy.allows(alias);
  }
}
