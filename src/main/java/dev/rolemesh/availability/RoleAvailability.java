package dev.rolemesh.availability;

import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.http.Upstream;
import dev.rolemesh.routing.BackendChooser;
import dev.rolemesh.routing.Role;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Predicate;

/**
 * Whether a role can serve now: its fixed upstream answers, or at least one fresh node serves it; and whether a
 * client asking for it gets an answer, from it or from one of its fallbacks.
 */
public final class RoleAvailability {

  private final BackendChooser chooser;
  private final UpstreamProbe probe;

  public RoleAvailability(BackendChooser chooser, UpstreamProbe probe) {
    this.chooser = chooser;
    this.probe = probe;
  }

  public Future<Availability> of(Role role) {
    if (role.config().target() instanceof ModelTarget.Discovered) {
      // A fresh node checked in within the stale window; probing it too would slow listings, and a node that died
      // since costs requests nothing because they fail over.
      return Future.succeededFuture(
          chooser.hasFreshNode(role) ? Availability.up() : Availability.down(chooser.whyNone(role)));
    }
    List<Upstream> candidates = chooser.candidates(role);
    if (candidates.isEmpty()) {
      return Future.succeededFuture(Availability.down(chooser.whyNone(role)));
    }
    return probe.check(candidates.getFirst());
  }

  /**
   * Whether a request for {@code role} would be served now: by the role itself, else by the first of its
   * {@code fallbacks} (in order, skipping those not {@code allowed}) that can serve. When none can, the reason is
   * the role's own followed by each fallback's.
   *
   * @param allowed whether the asking key may use an alias; null when it may use any
   */
  public Future<Availability> ofChain(Role role, List<Role> fallbacks, Predicate<String> allowed) {
    return of(role).compose(own -> own.available() || fallbacks.isEmpty()
        ? Future.succeededFuture(own)
        : firstOf(fallbacks, 0, allowed, own.reason(), new StringBuilder()));
  }

  private Future<Availability> firstOf(List<Role> fallbacks, int index, Predicate<String> allowed, String own,
      StringBuilder reasons) {
    if (index == fallbacks.size()) {
      return Future.succeededFuture(Availability.down(reasons.isEmpty() ? own : own + "; fallbacks: " + reasons));
    }
    Role fallback = fallbacks.get(index);
    if (allowed != null && !allowed.test(fallback.alias())) {
      return firstOf(fallbacks, index + 1, allowed, own, reasons);
    }
    return of(fallback).compose(availability -> {
      if (availability.available()) {
        return Future.succeededFuture(Availability.through(fallback.alias()));
      }
      reasons.append(reasons.isEmpty() ? "" : "; ").append(fallback.alias()).append(": ")
          .append(availability.reason());
      return firstOf(fallbacks, index + 1, allowed, own, reasons);
    });
  }

  public UpstreamProbe probe() {
    return probe;
  }
}
