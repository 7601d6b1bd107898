package dev.rolemesh.routing;

import dev.rolemesh.config.ModelTarget;
import java.util.List;

/**
 * Turns a role into the backends to try, in order. A fixed proxy role has exactly one; a discovered role has none
 * until nodes register for it.
 */
public final class BackendChooser {

  public List<Upstream> candidates(Role role) {
    return switch (role.config().target()) {
      case ModelTarget.Proxy proxy -> List.of(new Upstream(
          proxy.baseUrl(),
          role.modelOverride() != null ? role.modelOverride() : role.alias(),
          proxy.apiKey(),
          role.config().timeouts(),
          null));
      case ModelTarget.Discovered discovered -> List.of();
    };
  }

  /** Why {@link #candidates} came back empty, in words an operator can act on. */
  public String whyNone(Role role) {
    return switch (role.config().target()) {
      case ModelTarget.Proxy proxy -> "no upstream configured";
      case ModelTarget.Discovered discovered -> "no fresh node serves role '" + discovered.role() + "'";
    };
  }
}
