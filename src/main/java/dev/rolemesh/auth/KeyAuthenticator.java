package dev.rolemesh.auth;

import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.ClientKey;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Accepts a request carrying one of the accepted keys in one of the accepted headers.
 * {@code Authorization: Bearer <key>} is always accepted; the other header names depend on the caller kind
 * ({@code X-Api-Key} for clients, {@code X-RoleMesh-Node-Key} for nodes).
 */
public final class KeyAuthenticator implements Authenticator {

  private final List<ApiKeys> accepted;
  private final List<String> headers;
  private final String what;

  /**
   * @param accepted key sets of which any may match; when one of them requires no key at all, every request passes
   * @param headers header names, besides Authorization, that may carry the key
   * @param what how the 401 message names the key, e.g. "client API key"
   */
  public KeyAuthenticator(List<ApiKeys> accepted, List<String> headers, String what) {
    this.accepted = accepted;
    this.headers = headers;
    this.what = what;
  }

  /** @param clock for the keys' rate limits: monotonic nanoseconds */
  public static KeyAuthenticator clients(AuthConfig auth, LongSupplier clock) {
    return clients(auth, clock, null);
  }

  /**
   * @param previous the client authenticator of the config being replaced, or null: keys whose entry is unchanged
   *     keep their counters
   */
  public static KeyAuthenticator clients(AuthConfig auth, LongSupplier clock, Authenticator previous) {
    Map<ClientKey, KeyPolicy> carried = previous instanceof KeyAuthenticator keys ? keys.policies() : Map.of();
    return new KeyAuthenticator(List.of(ApiKeys.clients(auth.clientKeys(), clock, carried)), List.of("X-Api-Key"),
        "client API key");
  }

  /** A node agent's callers (the gateway): {@code auth.api_keys} of the agent's config. */
  public static KeyAuthenticator agent(List<String> apiKeys) {
    return new KeyAuthenticator(List.of(new ApiKeys("api_keys", apiKeys)), List.of("X-Api-Key"),
        "node agent API key (the gateway's auth.node_upstream_key)");
  }

  public static KeyAuthenticator nodes(AuthConfig auth) {
    return new KeyAuthenticator(List.of(nodeKeys(auth)), List.of("X-RoleMesh-Node-Key"), "node key");
  }

  /** Operators read the node list with either kind of key. */
  public static KeyAuthenticator operators(AuthConfig auth) {
    return new KeyAuthenticator(List.of(clientKeys(auth), nodeKeys(auth)), List.of("X-Api-Key", "X-RoleMesh-Node-Key"),
        "client API key or node key");
  }

  /**
   * /metrics and the status API: open while no client key is configured (and no metrics key); once client keys
   * are, a client key or a metrics key.
   */
  public static KeyAuthenticator metrics(AuthConfig auth) {
    ApiKeys metricsKeys = new ApiKeys("metrics_api_keys", auth.metricsApiKeys());
    List<ApiKeys> accepted = Stream.of(clientKeys(auth), metricsKeys).filter(ApiKeys::required).toList();
    return new KeyAuthenticator(accepted.isEmpty() ? List.of(metricsKeys) : accepted, List.of("X-Api-Key"),
        "client API key or metrics key");
  }

  private static ApiKeys clientKeys(AuthConfig auth) {
    return ApiKeys.clients(auth.clientKeys(), null);
  }

  private static ApiKeys nodeKeys(AuthConfig auth) {
    return new ApiKeys("node_api_keys", auth.nodeApiKeys());
  }

  /** The client keys' policies by their entry (none for other kinds of key). */
  Map<ClientKey, KeyPolicy> policies() {
    Map<ClientKey, KeyPolicy> out = new HashMap<>();
    accepted.forEach(keys -> out.putAll(keys.policies()));
    return out;
  }

  @Override
  public Principal authenticate(HttpServerRequest request) {
    if (accepted.stream().anyMatch(keys -> !keys.required())) {
      return Principal.ANONYMOUS;
    }
    String bearer = bearerToken(request.getHeader("Authorization"));
    for (ApiKeys keys : accepted) {
      Principal principal = keys.match(bearer);
      for (int i = 0; principal == null && i < headers.size(); i++) {
        principal = keys.match(request.getHeader(headers.get(i)));
      }
      if (principal != null) {
        return principal;
      }
    }
    return null;
  }

  @Override
  public String challenge() {
    return "Missing or invalid " + what + ": send 'Authorization: Bearer <key>' or '" + headers.getFirst()
        + ": <key>'";
  }

  private static String bearerToken(String authorization) {
    if (authorization == null || authorization.length() < 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).trim();
  }
}
