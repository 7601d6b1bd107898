package dev.rolemesh.registry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code cache_affinity}'s choice among a role's usable nodes, as pure code: the node that holds the longest prefix of
 * the request's conversation, unless it is saturated, else a node the request's run went to before, else the least
 * busy. A node is saturated when its requests in flight fill its slots, or exceed the least loaded node's by more
 * than the margin: a warm cache is not worth waiting behind a queue for, nor piling every session onto one node.
 */
final class CacheAffinity {

  /**
   * One usable node as the choice sees it.
   *
   * @param slots the node's parallel slots for the role, 0 when it does not say
   * @param matched leading links of the request's conversation chain recently routed to the node
   * @param runSeen the request's run ({@code X-RoleMesh-Run}) was recently routed to the node
   */
  record Candidate(Node node, int inFlight, int slots, int matched, boolean runSeen) {}

  private CacheAffinity() {}

  /**
   * The nodes in the order to try: the choice first, then the others least busy first. {@code candidates} come in
   * rotated order, so nodes tied on every count take turns.
   */
  static List<Node> order(List<Candidate> candidates, int margin) {
    int least = candidates.stream().mapToInt(Candidate::inFlight).min().orElse(0);
    Candidate chosen = null;
    for (Candidate candidate : candidates) {
      if (!saturated(candidate, least, margin) && better(candidate, chosen)) {
        chosen = candidate;
      }
    }
    List<Candidate> rest = new ArrayList<>(candidates);
    rest.remove(chosen);
    rest.sort(Comparator.comparingInt(Candidate::inFlight));
    List<Node> ordered = new ArrayList<>(candidates.size());
    if (chosen != null) {
      ordered.add(chosen.node());
    }
    rest.forEach(candidate -> ordered.add(candidate.node()));
    return ordered;
  }

  static boolean saturated(Candidate candidate, int leastInFlight, int margin) {
    return (candidate.slots() > 0 && candidate.inFlight() >= candidate.slots())
        || candidate.inFlight() > leastInFlight + margin;
  }

  // Longer cached prefix first; then a node the run used; then fewer in flight; the earlier candidate on a tie.
  private static boolean better(Candidate candidate, Candidate best) {
    if (best == null) {
      return true;
    }
    if (candidate.matched() != best.matched()) {
      return candidate.matched() > best.matched();
    }
    if (candidate.runSeen() != best.runSeen()) {
      return candidate.runSeen();
    }
    return candidate.inFlight() < best.inFlight();
  }
}
