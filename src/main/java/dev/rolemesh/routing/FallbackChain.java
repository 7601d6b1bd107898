package dev.rolemesh.routing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The order in which a role's fallbacks are tried: its own {@code fallbacks} as listed, then theirs, breadth
 * first, each alias once. A fallback is a role like any other, so when it cannot serve either, its own fallbacks
 * are next in line; but the operator's list for the role asked for comes first, so {@code coder: [writer, planner]}
 * tries planner before anything writer falls back to. The config refuses loops, but the expansion would end anyway.
 */
public final class FallbackChain {

  private FallbackChain() {}

  /**
   * @param fallbacksOf each alias's {@code fallbacks} as configured
   * @return the aliases to try after {@code alias}, in order, without {@code alias} itself
   */
  public static List<String> of(String alias, Function<String, List<String>> fallbacksOf) {
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    seen.add(alias);
    Deque<String> pending = new ArrayDeque<>(fallbacksOf.apply(alias));
    while (!pending.isEmpty()) {
      String next = pending.removeFirst();
      if (seen.add(next)) {
        out.add(next);
        pending.addAll(fallbacksOf.apply(next));
      }
    }
    return List.copyOf(out);
  }
}
