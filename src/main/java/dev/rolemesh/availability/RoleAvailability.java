package dev.rolemesh.availability;

import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.http.Upstream;
import dev.rolemesh.routing.BackendChooser;
import dev.rolemesh.routing.Role;
import io.vertx.core.Future;
import java.util.List;

/** Whether a role can serve now: its fixed upstream answers, or at least one fresh node serves it. */
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

  public UpstreamProbe probe() {
    return probe;
  }
}
