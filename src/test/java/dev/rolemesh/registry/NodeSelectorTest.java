package dev.rolemesh.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.ModelTarget.Strategy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NodeSelectorTest {

  private final TestClock clock = new TestClock();
  private final NodeRegistry registry = Nodes.inMemory(clock, Duration.ofSeconds(30));
  private final NodeSelector selector = new NodeSelector(registry);

  private void register(String... ids) throws Exception {
    for (String id : ids) {
      registry.register(Nodes.serving(id, "http://" + id + ":8000", id + "-model", "reviewer"));
    }
  }

  private List<String> order(Strategy strategy) {
    return selector.order("reviewer", new ModelTarget.Discovered("reviewer", strategy)).stream()
        .map(Node::nodeId).toList();
  }

  private Map<String, Integer> firstPicks(Strategy strategy, int requests) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < requests; i++) {
      counts.merge(order(strategy).getFirst(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void roundRobinAlternatesEvenlyAndOffersTheOthersAsFailover() throws Exception {
    register("a", "b", "c");

    assertThat(order(Strategy.ROUND_ROBIN)).containsExactly("a", "b", "c");
    assertThat(order(Strategy.ROUND_ROBIN)).containsExactly("b", "c", "a");
    assertThat(order(Strategy.ROUND_ROBIN)).containsExactly("c", "a", "b");
    assertThat(firstPicks(Strategy.ROUND_ROBIN, 300)).containsOnly(
        Map.entry("a", 100), Map.entry("b", 100), Map.entry("c", 100));
  }

  @Test
  void aliasesRotateIndependently() throws Exception {
    register("a", "b");
    ModelTarget.Discovered target = new ModelTarget.Discovered("reviewer", Strategy.ROUND_ROBIN);

    assertThat(selector.order("one", target).getFirst().nodeId()).isEqualTo("a");
    assertThat(selector.order("two", target).getFirst().nodeId()).isEqualTo("a");
    assertThat(selector.order("one", target).getFirst().nodeId()).isEqualTo("b");
  }

  @Test
  void randomSpreadsOverAllFreshNodes() throws Exception {
    register("a", "b", "c");

    Map<String, Integer> picks = firstPicks(Strategy.RANDOM, 600);

    // Each node's chance of getting fewer than 100 of 600 picks at p = 1/3 is below 1e-20.
    assertThat(picks.keySet()).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(picks.values()).allSatisfy(count -> assertThat(count).isGreaterThan(100));
    assertThat(order(Strategy.RANDOM)).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void leastBusyPrefersTheIdleNodeAndRotatesTies() throws Exception {
    register("a", "b", "c");
    NodeTraffic traffic = registry.traffic();
    traffic.dispatched("a");
    traffic.dispatched("a");
    traffic.dispatched("b");

    assertThat(order(Strategy.LEAST_BUSY)).containsExactly("c", "b", "a");

    traffic.finished("a", null, 0, false);
    traffic.finished("a", null, 0, false);
    traffic.finished("b", null, 0, false);
    assertThat(firstPicks(Strategy.LEAST_BUSY, 300)).containsOnly(
        Map.entry("a", 100), Map.entry("b", 100), Map.entry("c", 100));
  }

  @Test
  void leastBusyReadsEachCounterOnceSoCountsChangingMidSortCannotBreakIt() throws Exception {
    // Other event loops move the counters while one sorts; a seeded random count per read stands in for them.
    register(IntStream.range(0, 64).mapToObj(i -> "n" + i).toArray(String[]::new));
    List<Node> nodes = registry.freshServing("reviewer");
    Random moving = new Random(3);
    Map<String, Integer> reads = new HashMap<>();

    List<Node> ordered = NodeSelector.leastBusyFirst(nodes, id -> {
      reads.merge(id, 1, Integer::sum);
      return moving.nextInt(4);
    });

    assertThat(ordered).containsExactlyInAnyOrderElementsOf(nodes);
    assertThat(reads.values()).containsOnly(1);
  }

  @Test
  void staleNodesGetNoTrafficUntilTheyHeartbeat() throws Exception {
    register("a", "b");
    clock.advance(Duration.ofSeconds(20));
    registry.heartbeat(new Heartbeat("b", new Node.Load(null, null)));
    clock.advance(Duration.ofSeconds(15));

    assertThat(order(Strategy.ROUND_ROBIN)).containsExactly("b");
    assertThat(order(Strategy.ROUND_ROBIN)).containsExactly("b");
    assertThat(selector.whyNone("reviewer")).doesNotContain("b last seen");

    clock.advance(Duration.ofSeconds(30));
    assertThat(order(Strategy.LEAST_BUSY)).isEmpty();
    assertThat(selector.anyFresh("reviewer")).isFalse();
    assertThat(selector.whyNone("reviewer")).isEqualTo(
        "no fresh node serves role 'reviewer' (2 stale, no heartbeat within 30s: a last seen 65s ago,"
            + " b last seen 45s ago)");

    registry.heartbeat(new Heartbeat("a", new Node.Load(null, null)));
    assertThat(order(Strategy.RANDOM)).containsExactly("a");
  }

  @Test
  void noNodeAtAllIsExplained() {
    assertThat(order(Strategy.ROUND_ROBIN)).isEmpty();
    assertThat(selector.whyNone("reviewer"))
        .isEqualTo("no fresh node serves role 'reviewer' (no node has registered for it)");
  }

  @Test
  void aFailedNodeSitsOutItsCooldownUnlessEveryNodeIsCoolingDown() throws Exception {
    register("a", "b");
    NodeTraffic traffic = registry.traffic();
    traffic.dispatched("a");
    traffic.finished("a", null, 0, true);

    assertThat(order(Strategy.ROUND_ROBIN)).containsExactly("b");
    assertThat(order(Strategy.ROUND_ROBIN)).containsExactly("b");

    traffic.dispatched("b");
    traffic.finished("b", null, 0, true);
    assertThat(order(Strategy.ROUND_ROBIN)).containsExactlyInAnyOrder("a", "b");

    clock.advance(NodeTraffic.COOLDOWN);
    assertThat(traffic.cooldownLeft("a")).isZero();
    assertThat(order(Strategy.ROUND_ROBIN)).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void attemptsAreBounded() throws Exception {
    register("a", "b", "c", "d", "e");

    assertThat(order(Strategy.ROUND_ROBIN)).hasSize(NodeSelector.MAX_ATTEMPTS);
    assertThat(order(Strategy.RANDOM)).hasSize(NodeSelector.MAX_ATTEMPTS).doesNotHaveDuplicates();
  }

  @Test
  void onlyNodesServingTheRoleAreChosen() throws Exception {
    register("a");
    registry.register(Nodes.serving("w", "http://w:1", "writer-model", "writer"));

    assertThat(order(Strategy.ROUND_ROBIN)).containsExactly("a");
  }

  @Test
  void cacheAffinityFollowsTheConversationItRememberedAndSpreadsNewOnes() throws Exception {
    register("a", "b", "c");
    ModelTarget.Discovered target = new ModelTarget.Discovered("reviewer", Strategy.CACHE_AFFINITY);
    long[] first = {11, 12};
    long[] other = {21};

    String home = selector.order("reviewer", target, first, null).getFirst().nodeId();
    registry.traffic().dispatched(home);
    String otherHome = selector.order("reviewer", target, other, null).getFirst().nodeId();
    String nextTurn = selector.order("reviewer", target, new long[] {11, 12, 13, 14}, null).getFirst().nodeId();

    assertThat(otherHome).isNotEqualTo(home);
    assertThat(nextTurn).isEqualTo(home);
  }

  @Test
  void cacheAffinityTakesTheRunAsAHint() throws Exception {
    register("a", "b", "c");
    ModelTarget.Discovered target = new ModelTarget.Discovered("reviewer", Strategy.CACHE_AFFINITY);

    String home = selector.order("reviewer", target, new long[] {1}, "run-7").getFirst().nodeId();

    assertThat(selector.order("reviewer", target, new long[] {2}, "run-7").getFirst().nodeId()).isEqualTo(home);
    assertThat(selector.order("reviewer", target, new long[] {3}, "run-8").getFirst().nodeId()).isNotEqualTo(home);
  }
}
