package dev.rolemesh.auth;

import dev.rolemesh.api.ApiError;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.util.List;

/**
 * A route guard that lets a request through when it carries one of the accepted keys in one of the accepted
 * headers. {@code Authorization: Bearer <key>} is always accepted; the other header names depend on the caller kind
 * ({@code X-Api-Key} for clients, {@code X-RoleMesh-Node-Key} for nodes).
 *
 * <p>A {@link SecurityPolicyHandler} to Vert.x Web, which therefore lets it run before {@code BodyHandler} (a plain
 * handler there is refused at startup): a caller without a key is turned away before its body is read.
 */
public final class KeyCheck implements SecurityPolicyHandler {

  private final List<ApiKeys> accepted;
  private final List<String> headers;
  private final String what;

  /**
   * @param accepted key sets of which any may match; when none of them requires a key, every request passes
   * @param headers header names, besides Authorization, that may carry the key
   * @param what how the 401 message names the key, e.g. "client API key"
   */
  public KeyCheck(List<ApiKeys> accepted, List<String> headers, String what) {
    this.accepted = accepted;
    this.headers = headers;
    this.what = what;
  }

  public static KeyCheck clients(ApiKeys clientKeys) {
    return new KeyCheck(List.of(clientKeys), List.of("X-Api-Key"), "client API key");
  }

  public static KeyCheck nodes(ApiKeys nodeKeys) {
    return new KeyCheck(List.of(nodeKeys), List.of("X-RoleMesh-Node-Key"), "node key");
  }

  public boolean open() {
    return accepted.stream().noneMatch(ApiKeys::required);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (open() || allowed(ctx.request())) {
      ctx.next();
      return;
    }
    ApiError.unauthorized("Missing or invalid " + what + ": send 'Authorization: Bearer <key>' or '"
        + headers.getFirst() + ": <key>'").send(ctx);
  }

  private boolean allowed(HttpServerRequest request) {
    String bearer = bearerToken(request.getHeader("Authorization"));
    for (ApiKeys keys : accepted) {
      if (!keys.required() || keys.matches(bearer)) {
        return true;
      }
      for (String header : headers) {
        if (keys.matches(request.getHeader(header))) {
          return true;
        }
      }
    }
    return false;
  }

  private static String bearerToken(String authorization) {
    if (authorization == null || authorization.length() < 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).trim();
  }
}
