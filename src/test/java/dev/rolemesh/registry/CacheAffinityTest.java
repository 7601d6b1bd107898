package dev.rolemesh.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.registry.CacheAffinity.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheAffinityTest {

  private static final int MARGIN = 2;

  private static Candidate node(String id, int inFlight, int slots, int matched, boolean runSeen) {
    Node node = new Node(id, java.net.URI.create("http://" + id), List.of(), null, null, null, null);
    return new Candidate(node, inFlight, slots, matched, runSeen);
  }

  private static List<String> order(Candidate... candidates) {
    return CacheAffinity.order(List.of(candidates), MARGIN).stream().map(Node::nodeId).toList();
  }

  @Test
  void theLongestCachedPrefixWinsThenTheOthersLeastBusyFirst() {
    assertThat(order(node("a", 0, 4, 0, false), node("b", 1, 4, 3, false), node("c", 1, 4, 5, false),
        node("d", 0, 4, 2, false))).containsExactly("c", "a", "d", "b");
  }

  @Test
  void aFullNodeIsPassedOverForTheLeastBusy() {
    assertThat(order(node("a", 4, 4, 9, false), node("b", 2, 4, 0, false), node("c", 1, 4, 0, false)))
        .containsExactly("c", "b", "a");
  }

  @Test
  void aNodeMoreThanTheMarginAboveTheLeastLoadedIsPassedOver() {
    assertThat(order(node("a", 3, 8, 9, false), node("b", 0, 8, 0, false))).containsExactly("b", "a");
    assertThat(order(node("a", 2, 8, 9, false), node("b", 0, 8, 0, false))).containsExactly("a", "b");
  }

  @Test
  void nodesThatDoNotSayTheirSlotsAreBoundedByTheMarginOnly() {
    assertThat(order(node("a", 2, 0, 9, false), node("b", 0, 0, 0, false))).containsExactly("a", "b");
  }

  @Test
  void theRunIsAHintWhenNoNodeHoldsThePrefix() {
    assertThat(order(node("a", 0, 4, 0, false), node("b", 1, 4, 0, true))).containsExactly("b", "a");
    // a cached prefix outweighs the run; a saturated node is not chosen for its run
    assertThat(order(node("a", 0, 4, 1, false), node("b", 0, 4, 0, true))).containsExactly("a", "b");
    assertThat(order(node("a", 0, 4, 0, false), node("b", 4, 4, 0, true))).containsExactly("a", "b");
  }

  @Test
  void withoutAnyHistoryItIsLeastBusyAndTiesKeepTheRotation() {
    assertThat(order(node("b", 1, 4, 0, false), node("c", 0, 4, 0, false), node("a", 0, 4, 0, false)))
        .containsExactly("c", "a", "b");
  }

  @Test
  void whenEveryNodeIsSaturatedTheyAreAllStillOfferedLeastBusyFirst() {
    assertThat(order(node("a", 5, 4, 3, false), node("b", 4, 4, 0, false))).containsExactly("b", "a");
  }
}
