package dev.rolemesh.routing;

import dev.rolemesh.config.ClientTls;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.http.ConversationChain;
import dev.rolemesh.http.TlsOptions;
import io.vertx.core.net.ClientSSLOptions;
import dev.rolemesh.http.Upstream;
import dev.rolemesh.registry.NodeSelector;
import dev.rolemesh.registry.NodeStore;
import dev.rolemesh.registry.NodeTraffic;
import java.util.List;

/**
 * Turns a role into the backends to try, in order. A fixed proxy role has exactly one; a discovered role has the
 * fresh nodes serving it, in its strategy's order (none until nodes register for it).
 */
public final class BackendChooser {

  private final NodeSelector nodes;
  private final NodeTraffic traffic;
  private final String nodeUpstreamKey;
  private final ClientSSLOptions nodeTls;

  public BackendChooser(NodeStore registry) {
    this(registry, null, null);
  }

  /**
   * @param nodeUpstreamKey presented to every discovered node ({@code auth.node_upstream_key}), or null
   * @param nodeTls how to call nodes at https addresses ({@code gateway.node_tls}), or null
   */
  public BackendChooser(NodeStore registry, String nodeUpstreamKey, ClientTls nodeTls) {
    this.nodes = new NodeSelector(registry);
    this.traffic = registry.traffic();
    this.nodeUpstreamKey = nodeUpstreamKey;
    this.nodeTls = TlsOptions.client(nodeTls);
  }

  public List<Upstream> candidates(Role role) {
    return candidates(role, ConversationChain.NONE, null);
  }

  /**
   * The backends for one request whose conversation has the given chain of hashes (see {@link ConversationChain})
   * and which names a run (or null): what {@code cache_affinity} routes by.
   */
  public List<Upstream> candidates(Role role, long[] conversation, String run) {
    return switch (role.config().target()) {
      case ModelTarget.Proxy proxy -> List.of(new Upstream(
          proxy.baseUrl(),
          role.modelOverride() != null ? role.modelOverride() : role.alias(),
          proxy.apiKey(),
          role.config().timeouts(),
          null,
          role.tls()));
      case ModelTarget.Discovered discovered -> nodes.order(role.alias(), discovered, conversation, run).stream()
          .map(node -> new Upstream(node.baseUrl(), node.modelFor(discovered.role()), nodeUpstreamKey,
              role.config().timeouts(), node.nodeId(), nodeTls))
          .toList();
    };
  }

  /** Why {@link #candidates} came back empty, in words an operator can act on. */
  public String whyNone(Role role) {
    return switch (role.config().target()) {
      case ModelTarget.Proxy proxy -> "no upstream configured";
      case ModelTarget.Discovered discovered -> nodes.whyNone(discovered.role());
    };
  }

  /** Whether a discovered role has a fresh node, without taking a turn of its rotation. */
  public boolean hasFreshNode(Role role) {
    return role.config().target() instanceof ModelTarget.Discovered discovered && nodes.anyFresh(discovered.role());
  }

  /** A request is going to the upstream; pair with exactly one {@link #finished}. Counts for least_busy. */
  public void dispatched(Upstream upstream) {
    if (upstream.nodeId() != null) {
      traffic.dispatched(upstream.nodeId());
    }
  }

  /** @param failedBeforeResponse the upstream failed before any response head: a node then cools down briefly */
  public void finished(Upstream upstream, boolean failedBeforeResponse) {
    if (upstream.nodeId() != null) {
      traffic.finished(upstream.nodeId(), failedBeforeResponse);
    }
  }
}
