package dev.rolemesh.routing;

import dev.rolemesh.http.ApiError;
import java.util.List;
import java.util.function.Predicate;

/**
 * One request's way down the fallback chain of the role it asked for, started the first time a role cannot take
 * it: which role is next, and what the client is told when none can. "Cannot take it" is the caller's verdict, one
 * {@link #next} call each: no backend can serve now (no fresh node), every backend failed before it could start on
 * the request (refused, no connection within {@code connect_s}, closed before the request was written), or the
 * role's admission queue is full. A backend that took the request answers for it, error or not: the walk ends there.
 *
 * <p>Roles the caller's key may not use are passed over, as if they were not in the chain: an operator's fallback
 * never widens a key's {@code roles}.
 */
public final class FallbackWalk {

  private final List<Role> chain;
  private final Predicate<String> allowed;
  private int position;
  private ApiError first;
  private StringBuilder alsoTried;

  /**
   * @param chain the requested role's fallbacks in order ({@link RoleTable#fallbacks})
   * @param allowed whether the caller may use an alias; null when any
   */
  public FallbackWalk(List<Role> chain, Predicate<String> allowed) {
    this.chain = chain;
    this.allowed = allowed;
  }

  /**
   * The role just tried cannot take the request, for the reason given as the error its client would get.
   *
   * @return the next role to try, or null when none is left: then the client gets {@link #error()}
   */
  public Role next(ApiError why) {
    if (first == null) {
      first = why;
    } else {
      alsoTried = alsoTried == null ? new StringBuilder() : alsoTried.append("; ");
      alsoTried.append(why.message());
    }
    while (position < chain.size()) {
      Role candidate = chain.get(position++);
      if (allowed == null || allowed.test(candidate.alias())) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * What the client gets when no role could take the request: the status, type and code the requested role's own
   * failure gives without fallbacks, its message followed by what each fallback tried said.
   */
  public ApiError error() {
    if (alsoTried == null) {
      return first;
    }
    return new ApiError(first.status(), first.message() + "; fallbacks could not serve either: " + alsoTried,
        first.type(), first.param(), first.code());
  }
}
