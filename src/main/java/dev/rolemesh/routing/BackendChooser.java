package dev.rolemesh.routing;

import dev.rolemesh.admission.AdmissionPolicy;
import dev.rolemesh.config.ClientTls;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.http.ConversationChain;
import dev.rolemesh.http.TlsOptions;
import io.vertx.core.net.ClientSSLOptions;
import dev.rolemesh.http.Upstream;
import dev.rolemesh.registry.Node;
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
  private final ProxyTraffic proxies;
  private final String nodeUpstreamKey;
  private final ClientSSLOptions nodeTls;

  public BackendChooser(NodeStore registry) {
    this(registry, null, null, null);
  }

  /**
   * @param nodeUpstreamKey presented to every discovered node ({@code auth.node_upstream_key}), or null
   * @param nodeTls how to call nodes at https addresses ({@code gateway.node_tls}), or null
   * @param previous the chooser of the config before, whose count of requests in flight to fixed upstreams carries
   *     over; null for the first
   */
  public BackendChooser(NodeStore registry, String nodeUpstreamKey, ClientTls nodeTls, BackendChooser previous) {
    this.nodes = new NodeSelector(registry);
    this.traffic = registry.traffic();
    this.proxies = previous == null ? new ProxyTraffic() : previous.proxies;
    this.nodeUpstreamKey = nodeUpstreamKey;
    this.nodeTls = TlsOptions.client(nodeTls);
  }

  public List<Upstream> candidates(Role role) {
    return candidates(role, ConversationChain.NONE, null);
  }

  /**
   * The backends for one request whose conversation has the given chain of hashes (see {@link ConversationChain})
   * and which names a run (or null): what {@code cache_affinity} routes by. Backends without a free slot are left
   * out; empty when none can take the request now (see {@link #atCapacity}).
   */
  public List<Upstream> candidates(Role role, long[] conversation, String run) {
    return switch (role.config().target()) {
      case ModelTarget.Proxy proxy -> proxy.maxConcurrent() > 0
          && !AdmissionPolicy.hasRoom(proxies.inFlight(role.alias()), proxy.maxConcurrent())
          ? List.of()
          : List.of(new Upstream(
              proxy.baseUrl(),
              role.modelOverride() != null ? role.modelOverride() : role.alias(),
              proxy.apiKey(),
              role.config().timeouts(),
              null,
              role.tls(),
              proxy.maxConcurrent()));
      case ModelTarget.Discovered discovered -> nodes.order(role.alias(), discovered, conversation, run).stream()
          .map(node -> new Upstream(node.baseUrl(), node.modelFor(discovered.role()), nodeUpstreamKey,
              role.config().timeouts(), node.nodeId(), nodeTls, nodes.slots(node, discovered.role())))
          .toList();
    };
  }

  /**
   * Whether {@link #candidates} came back empty because every backend of the role is full (a slot will free: the
   * request may wait for it) rather than because the role has no backend that can serve.
   */
  public boolean atCapacity(Role role) {
    return switch (role.config().target()) {
      case ModelTarget.Proxy proxy -> proxy.maxConcurrent() > 0;
      case ModelTarget.Discovered discovered -> nodes.anyFresh(discovered.role());
    };
  }

  /** The node as this gateway calls it (its base URL, {@code auth.node_upstream_key}, {@code gateway.node_tls}). */
  public Upstream nodeEndpoint(Node node) {
    return new Upstream(node.baseUrl(), null, nodeUpstreamKey, null, node.nodeId(), nodeTls);
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

  /**
   * A request of the role goes to the upstream if it has a free slot (checked and counted in one step, so two event
   * loops cannot both take the last one); pair a true with exactly one {@link #finished}. Counts for least_busy.
   */
  public boolean tryDispatch(Role role, Upstream upstream) {
    if (upstream.nodeId() != null) {
      return traffic.tryDispatch(upstream.nodeId(), upstream.model(), upstream.slots());
    }
    return upstream.slots() <= 0 || proxies.tryDispatch(role.alias(), upstream.slots());
  }

  /** @param failedBeforeResponse the upstream failed before any response head: a node then cools down briefly */
  public void finished(Role role, Upstream upstream, boolean failedBeforeResponse) {
    if (upstream.nodeId() != null) {
      traffic.finished(upstream.nodeId(), upstream.model(), upstream.slots(), failedBeforeResponse);
    } else if (upstream.slots() > 0) {
      proxies.finished(role.alias());
    }
  }
}
