package dev.rolemesh.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FallbackChainTest {

  private static List<String> chain(String alias, Map<String, List<String>> fallbacks) {
    return FallbackChain.of(alias, each -> fallbacks.getOrDefault(each, List.of()));
  }

  @Test
  void aRoleWithoutFallbacksHasAnEmptyChain() {
    assertThat(chain("coder", Map.of())).isEmpty();
  }

  @Test
  void theRolesOwnListComesFirstThenTheFallbacksOfItsFallbacks() {
    Map<String, List<String>> fallbacks = Map.of(
        "coder", List.of("writer", "planner"),
        "writer", List.of("small"),
        "planner", List.of("tiny"));

    assertThat(chain("coder", fallbacks)).containsExactly("writer", "planner", "small", "tiny");
    assertThat(chain("writer", fallbacks)).containsExactly("small");
  }

  @Test
  void anAliasReachedTwiceIsTriedOnceAndTheRoleItselfNever() {
    Map<String, List<String>> fallbacks = Map.of(
        "coder", List.of("writer", "planner"),
        "writer", List.of("planner", "coder"),
        "planner", List.of("writer"));

    assertThat(chain("coder", fallbacks)).containsExactly("writer", "planner");
  }
}
