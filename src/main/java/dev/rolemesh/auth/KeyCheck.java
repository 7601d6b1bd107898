package dev.rolemesh.auth;

import dev.rolemesh.http.ApiError;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.util.function.Function;

/**
 * A route guard: lets a request through when its {@link Authenticator} knows the caller, and leaves the
 * {@link Principal} on the routing context; otherwise answers 401.
 *
 * <p>A {@link SecurityPolicyHandler} to Vert.x Web, which therefore lets it run before {@code BodyHandler} (a plain
 * handler there is refused at startup): a caller without a key is turned away before its body is read.
 */
public final class KeyCheck implements SecurityPolicyHandler {

  private static final String PRINCIPAL = "rolemesh.principal";

  private final Function<RoutingContext, Authenticator> authenticator;

  /** @param authenticator the one in force for this request (keys change when the config is reloaded) */
  public KeyCheck(Function<RoutingContext, Authenticator> authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Authenticator current = authenticator.apply(ctx);
    Principal principal = current.authenticate(ctx.request());
    if (principal == null) {
      ApiError.unauthorized(current.challenge()).send(ctx);
      return;
    }
    ctx.put(PRINCIPAL, principal);
    ctx.next();
  }

  /** Who sent the request, once a guard let it through; null on routes without one. */
  public static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }
}
