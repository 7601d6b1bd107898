package dev.rolemesh.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class NodeRegistryTest {

  private final TestClock clock = new TestClock();
  private final NodeRegistry registry = Nodes.inMemory(clock, Duration.ofSeconds(30));

  @Test
  void reRegisteringReplacesTheWholeEntry() throws Exception {
    registry.register(Nodes.serving("a", "http://h:1", "qwen3-8b", "reviewer", "planner"));
    registry.register(Nodes.serving("a", "http://h:2", "llama-3", "writer"));

    assertThat(registry.nodes()).singleElement().satisfies(node -> {
      assertThat(node.baseUrl()).hasToString("http://h:2");
      assertThat(node.roles()).containsExactly("writer");
      assertThat(node.modelFor("writer")).isEqualTo("llama-3");
    });
    assertThat(registry.serving("reviewer")).isEmpty();
  }

  @Test
  void aNodeGoesStaleAtTheTimeoutAndAHeartbeatRevivesIt() throws Exception {
    registry.register(Nodes.legacy("a", "http://h:1", "writer"));
    clock.advance(Duration.ofSeconds(29));
    assertThat(registry.freshServing("writer")).hasSize(1);

    clock.advance(Duration.ofSeconds(1));
    assertThat(registry.freshServing("writer")).isEmpty();
    assertThat(registry.serving("writer")).hasSize(1);
    assertThat(registry.fresh(registry.nodes().getFirst())).isFalse();
    assertThat(registry.age(registry.nodes().getFirst())).isEqualTo(Duration.ofSeconds(30));

    Node revived = registry.heartbeat(new Heartbeat("a", new Node.Load(0, 4)));
    assertThat(registry.fresh(revived)).isTrue();
    assertThat(revived.reported()).isEqualTo(new Node.Load(0, 4));
    assertThat(registry.freshServing("writer")).extracting(Node::nodeId).containsExactly("a");
  }

  @Test
  void aHeartbeatsSlotCountsReplaceTheRegisteredOnes() throws Exception {
    registry.register(NodeJson.registration("""
        {"node_id":"a","base_url":"http://h:1","served_models":[
          {"model_id":"m","roles":["writer"],"meta":{"parallel":2,"quant":"Q4"}},{"model_id":"o","roles":["coder"]}]}"""
        .getBytes(StandardCharsets.UTF_8)));

    Node seen = registry.heartbeat(new Heartbeat("a", new Node.Load(0, 8), Map.of("m", 8, "o", 1, "gone", 3)));

    assertThat(seen.slotsFor("writer")).isEqualTo(8);
    assertThat(seen.slotsFor("coder")).isEqualTo(1);
    assertThat(seen.servedModels().getFirst().meta().path("quant").asText()).isEqualTo("Q4");
    Node same = registry.heartbeat(new Heartbeat("a", new Node.Load(0, 8), Map.of("m", 8)));
    assertThat(same.servedModels()).isSameAs(seen.servedModels());
  }

  @Test
  void heartbeatForAnUnknownNodeChangesNothing() {
    assertThat(registry.heartbeat(new Heartbeat("ghost", new Node.Load(null, null)))).isNull();
    assertThat(registry.nodes()).isEmpty();
  }

  @Test
  void deregisterRemovesOnlyKnownNodes() throws Exception {
    registry.register(Nodes.legacy("a", "http://h:1", "writer"));

    assertThat(registry.deregister("b").join()).isFalse();
    assertThat(registry.deregister("a").join()).isTrue();
    assertThat(registry.nodes()).isEmpty();
  }

  @Test
  void registryIsBounded() throws Exception {
    for (int i = 0; i < NodeRegistry.MAX_NODES; i++) {
      registry.register(Nodes.legacy("n" + i, "http://h:1", "writer"));
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> registry.register(Nodes.legacy("one-more", "http://h:1", "writer")))
        .isInstanceOf(NodeRegistry.Full.class);
    registry.register(Nodes.legacy("n0", "http://h:2", "writer"));
  }

  /**
   * Registrations racing for the last free slot: exactly one gets it. Checking the size before adding would let
   * several pass the cap at once.
   */
  @Test
  void concurrentRegistrationsNeverPassTheCap() throws Exception {
    for (int i = 0; i < NodeRegistry.MAX_NODES - 1; i++) {
      registry.register(Nodes.legacy("n" + i, "http://h:1", "writer"));
    }
    int racers = 16;
    ExecutorService threads = Executors.newFixedThreadPool(racers);
    try {
      for (int round = 0; round < 3000; round++) {
        CyclicBarrier start = new CyclicBarrier(racers);
        List<Future<?>> attempts = new ArrayList<>();
        for (int racer = 0; racer < racers; racer++) {
          Registration extra = Nodes.legacy("extra-" + round + "-" + racer, "http://h:1", "writer");
          attempts.add(threads.submit(() -> {
            start.await();
            try {
              registry.register(extra);
            } catch (NodeRegistry.Full expected) {
              // All but one racer.
            }
            return null;
          }));
        }
        for (Future<?> attempt : attempts) {
          attempt.get();
        }
        assertThat(registry.nodes()).as("round %d", round).hasSize(NodeRegistry.MAX_NODES);
        registry.nodes().stream().map(Node::nodeId).filter(id -> id.startsWith("extra-"))
            .forEach(registry::deregister);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void reRegistrationEndsACooldown() throws Exception {
    registry.register(Nodes.legacy("a", "http://h:1", "writer"));
    registry.traffic().dispatched("a");
    registry.traffic().finished("a", null, 0, true);
    assertThat(registry.traffic().coolingDown("a")).isTrue();

    registry.register(Nodes.legacy("a", "http://h:1", "writer"));
    assertThat(registry.traffic().coolingDown("a")).isFalse();
  }

  @Test
  void staleTimeoutIsReportedAsWrittenInSeconds() {
    assertThat(registry.staleAfterSeconds()).isEqualTo(30L);
    assertThat(Nodes.inMemory(clock, Duration.ofMillis(2500)).staleAfterSeconds()).isEqualTo(2.5);
  }
}
