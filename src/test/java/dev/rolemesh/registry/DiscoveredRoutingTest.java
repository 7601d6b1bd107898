package dev.rolemesh.registry;

import static dev.rolemesh.config.ModelTarget.Strategy.LEAST_BUSY;
import static dev.rolemesh.config.ModelTarget.Strategy.RANDOM;
import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static dev.rolemesh.testing.TestGateway.CLIENT_KEY;
import static dev.rolemesh.testing.TestGateway.NODE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.NodeRegistrations;
import dev.rolemesh.testing.TestGateway;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovered aliases end to end: a real gateway routing to simulators registered as nodes. */
class DiscoveredRoutingTest {

  private static final String CHAT = "/v1/chat/completions";

  private final TestClock clock = new TestClock();
  private TestGateway gateway;
  private final List<Simulator> sims = new ArrayList<>();

  @BeforeEach
  void start() {
    gateway = new TestGateway().clientAndNodeKeys()
        .registry(new RegistrySettings(null, Duration.ofSeconds(30), clock))
        .discovered("reviewer", "reviewer", ROUND_ROBIN, Map.of("temperature", 0.2))
        .discovered("reviewer-random", "reviewer", RANDOM)
        .discovered("reviewer-busy", "reviewer", LEAST_BUSY)
        .start();
    for (String alias : List.of("sim-a", "sim-b")) {
      sims.add(gateway.simulator(SimOptions.defaults().withAlias(alias)));
    }
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  /** Registers simulator {@code i} as node {@code node-i} serving role reviewer with the given model id. */
  private void register(int i, String modelId) {
    gateway.register(NodeRegistrations.serving("node-" + i, sims.get(i).baseUrl(), modelId, "reviewer"));
  }

  private long chats(int i) {
    return sims.get(i).stats().requestsByPath().getOrDefault(CHAT, 0L);
  }

  /** Sends one chat to the alias and returns the index of the simulator that served it. */
  private int servedBy(String alias) throws Exception {
    long[] before = {chats(0), chats(1)};
    HttpResponse<String> response = gateway.postChat(alias, "Authorization", "Bearer " + CLIENT_KEY);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    for (int i = 0; i < before.length; i++) {
      if (chats(i) == before[i] + 1) {
        return i;
      }
    }
    throw new AssertionError("no simulator saw the request");
  }

  /** Four requests to {@code alias} reach both nodes, never the same one twice in a row. */
  private void assertTakesTurns(String alias) throws Exception {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      order.add(servedBy(alias));
    }
    assertThat(order).containsOnly(0, 1).doesNotContainSequence(0, 0).doesNotContainSequence(1, 1);
  }

  @Test
  void theForwardedModelIsTheNodesModelIdWithTheAliasDefaults() throws Exception {
    register(0, "qwen3-8b");

    assertThat(servedBy("reviewer")).isZero();

    var body = sims.get(0).stats().lastRequest().body();
    assertThat(body.path("model").asText()).isEqualTo("qwen3-8b");
    assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
  }

  @Test
  void legacyRegistrationForwardsTheRoleAsTheModel() throws Exception {
    gateway.register(NodeRegistrations.legacy("old", sims.get(0).baseUrl(), "reviewer"));

    assertThat(servedBy("reviewer-random")).isZero();
    assertThat(sims.get(0).stats().lastRequest().body().path("model").asText()).isEqualTo("reviewer");
  }

  @Test
  void roundRobinAlternatesEvenly() throws Exception {
    register(0, "m0");
    register(1, "m1");

    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      order.add(servedBy("reviewer"));
    }

    assertThat(order).containsExactly(0, 1, 0, 1, 0, 1, 0, 1, 0, 1);
    assertThat(sims.get(1).stats().lastRequest().body().path("model").asText()).isEqualTo("m1");
  }

  @Test
  void randomSpreadsOverTheNodes() throws Exception {
    register(0, "m0");
    register(1, "m1");

    int[] counts = new int[2];
    for (int i = 0; i < 40; i++) {
      counts[servedBy("reviewer-random")]++;
    }

    // Both nodes get some: the chance that one of them gets none of 40 fair picks is 2^-39.
    assertThat(counts[0]).isPositive();
    assertThat(counts[1]).isPositive();
  }

  @Test
  void leastBusyPrefersTheIdleNodeWhileAnotherStreams() throws Exception {
    register(0, "m0");
    register(1, "m1");
    HttpResponse<InputStream> stream = gateway.http().post(CHAT, "{\"model\":\"reviewer-busy\",\"stream\":true,"
            + "\"max_tokens\":2000,\"messages\":[{\"role\":\"user\",\"content\":\"tell a long story\"}]}",
        HttpResponse.BodyHandlers.ofInputStream(),
        "Authorization", "Bearer " + CLIENT_KEY, "X-Sim-Token-Delay-Ms", "50");
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(lines.readLine()).startsWith("data: ");
      int streamer = sims.get(0).stats().active() == 1 ? 0 : 1;
      assertThat(sims.get(streamer).stats().active()).isEqualTo(1);

      for (int i = 0; i < 6; i++) {
        assertThat(servedBy("reviewer-busy")).isEqualTo(1 - streamer);
      }
      assertThat(sims.get(streamer).stats().active()).isEqualTo(1);
    }
    // The client hung up mid-stream: the gateway cancels upstream, the node is idle again, and ties rotate.
    Await.until("both simulators idle",
        () -> sims.get(0).stats().active() == 0 && sims.get(1).stats().active() == 0);
    Await.until("the registry to count no request in flight",
        () -> gateway.get("/v1/nodes", "X-Api-Key", CLIENT_KEY).json().findValues("in_flight").stream()
            .allMatch(count -> count.asInt() == 0));
    assertTakesTurns("reviewer-busy");
  }

  @Test
  void aStaleNodeGetsNoTrafficUntilItsHeartbeat() throws Exception {
    register(0, "m0");
    register(1, "m1");
    clock.advance(Duration.ofSeconds(20));
    gateway.post("/v1/nodes/heartbeat", "{\"node_id\":\"node-1\"}", "X-RoleMesh-Node-Key", NODE_KEY);
    clock.advance(Duration.ofSeconds(15));

    for (int i = 0; i < 4; i++) {
      assertThat(servedBy("reviewer")).isEqualTo(1);
    }

    gateway.post("/v1/nodes/heartbeat", "{\"node_id\":\"node-0\"}", "X-RoleMesh-Node-Key", NODE_KEY);
    assertTakesTurns("reviewer");
  }

  @Test
  void aDeadNodeCostsNoClientAnErrorAndSitsOutItsCooldown() throws Exception {
    register(0, "m0");
    register(1, "m1");
    sims.get(0).close().await();

    for (int i = 0; i < 6; i++) {
      assertThat(servedBy("reviewer")).isEqualTo(1);
    }

    var node = gateway.get("/v1/nodes", "X-Api-Key", CLIENT_KEY).json().path("data").get(0);
    assertThat(node.path("node_id").asText()).isEqualTo("node-0");
    assertThat(node.path("cooldown_s").asDouble()).isPositive();
    assertThat(node.path("in_flight").asInt()).isZero();
  }
}
