package dev.rolemesh.api;

import static dev.rolemesh.testing.TestGateway.CLIENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.QueueSettings;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.SimStats;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.FreePorts;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admission queue on real sockets: backends whose slots are held by requests the simulator never answers
 * ({@code X-Sim-Fail: hang}) until the test hangs up on them, which frees the slot at a moment the test chooses.
 */
class AdmissionQueueTest {

  /** Long enough never to expire in a test that does not want it to. */
  private static final QueueSettings PATIENT = new QueueSettings(10, Duration.ofMinutes(10));

  private final TestGateway gateway = new TestGateway().clientAndNodeKeys();
  private final List<RawHttp> open = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (RawHttp connection : open) {
      connection.close();
    }
    gateway.close();
  }

  private static ModelConfig proxy(String alias, Simulator sim, int maxConcurrent, QueueSettings queue) {
    // a config file's timeouts: a held slot must not be freed by read_s while the test looks at the queue
    return new ModelConfig(alias, alias, Map.of(), Timeouts.DEFAULTS,
        new ModelTarget.Proxy(URI.create(sim.baseUrl()), null, null, maxConcurrent), queue);
  }

  /** An alias of the discovered role {@code agent}, with a queue that never expires in a test. */
  private static ModelConfig agentRole(String alias, ModelTarget.Strategy strategy) {
    return new ModelConfig(alias, alias, Map.of(), Timeouts.DEFAULTS, new ModelTarget.Discovered("agent", strategy),
        PATIENT);
  }

  private static String node(String id, Simulator sim, Integer parallel) {
    String meta = parallel == null ? "" : ",\"meta\":{\"parallel\":" + parallel + "}";
    return "{\"node_id\":\"" + id + "\",\"base_url\":\"" + sim.baseUrl() + "\",\"served_models\":[{"
        + "\"model_id\":\"m\",\"roles\":[\"agent\"]" + meta + "}]}";
  }

  private static String body(String alias, String content) {
    return "{\"model\":\"" + alias + "\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"" + content
        + "\"}]}";
  }

  /** A request left open: the test reads its answer or hangs up. */
  private RawHttp send(String alias, String content, String... headers) throws IOException {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = "Bearer " + CLIENT_KEY;
    System.arraycopy(headers, 0, all, 2, headers.length);
    RawHttp connection = RawHttp.post(gateway.port(), "/v1/chat/completions", body(alias, content), all);
    open.add(connection);
    return connection;
  }

  /** A request the simulator holds, with its slot, until the test closes the connection. */
  private RawHttp hold(String alias, Simulator sim, String content) throws IOException {
    int before = sim.stats().active();
    RawHttp held = send(alias, content, "X-Sim-Fail", "hang");
    Await.until("the simulator holds " + content, () -> sim.stats().active() > before);
    return held;
  }

  private RawHttp queued(String alias, String content) throws IOException {
    int before = waiting(alias);
    RawHttp connection = send(alias, content);
    Await.until(content + " waits in the queue", () -> waiting(alias) == before + 1);
    return connection;
  }

  private int waiting(String alias) {
    return gateway.server().state().queues().of(alias).waiting();
  }

  /** The user message of every chat request the simulator received, in arrival order. */
  private static List<String> received(Simulator sim) {
    return sim.stats().recent().stream().map(SimStats.RecordedRequest::body)
        .map(body -> body.at("/messages/0/content").asText()).toList();
  }

  @Test
  void queuedRequestsReachTheNodeInArrivalOrderAsSlotsFree() throws IOException {
    Simulator sim = gateway.simulator(SimOptions.defaults());
    gateway.model(agentRole("agent", ModelTarget.Strategy.LEAST_BUSY)).start();
    gateway.register(node("n1", sim, 2));
    RawHttp first = hold("agent", sim, "hold-1");
    hold("agent", sim, "hold-2");
    RawHttp a = queued("agent", "a");
    RawHttp b = queued("agent", "b");
    RawHttp c = queued("agent", "c");
    assertThat(sim.stats().active()).isEqualTo(2);

    first.close();

    assertThat(a.readResponse().status()).isEqualTo(200);
    assertThat(b.readResponse().status()).isEqualTo(200);
    assertThat(c.readResponse().status()).isEqualTo(200);
    assertThat(received(sim)).containsExactly("hold-1", "hold-2", "a", "b", "c");
    Await.until("the access lines of the queued requests", () -> gateway.log().lines()
        .filter(line -> line.contains("\"queue_ms\"") && line.contains("\"status\":200")).count() == 3);
  }

  @Test
  void beyondMaxWaitingARequestGets503WithRetryAfterAndNeverReachesTheBackend() throws IOException {
    Simulator sim = gateway.simulator(SimOptions.defaults());
    gateway.model(proxy("chat", sim, 1, new QueueSettings(1, Duration.ofMinutes(10)))).start();
    RawHttp held = hold("chat", sim, "hold");
    RawHttp waiting = queued("chat", "waits");

    RawHttp.Response refused = send("chat", "overflow").readResponse();

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.header("Retry-After")).isEqualTo("1");
    assertThat(refused.json().at("/error/code").asText()).isEqualTo("queue_full");
    assertThat(refused.json().at("/error/message").asText()).contains("'chat'", "queue.max_waiting");
    assertThat(refused.header("X-RoleMesh-Served-By")).isEqualTo("none");
    held.close();
    assertThat(waiting.readResponse().status()).isEqualTo(200);
    assertThat(received(sim)).containsExactly("hold", "waits");
    String metrics = gateway.get("/metrics", "Authorization", "Bearer " + CLIENT_KEY).body();
    assertThat(metrics).contains("rolemesh_queue_wait_seconds_count{role=\"chat\"} 2",
        "rolemesh_queue_waiting{role=\"chat\"} 0");
  }

  @Test
  void whenTheQueueIsFullTheRolesFallbackTakesTheRequest() throws IOException {
    Simulator busy = gateway.simulator(SimOptions.defaults());
    Simulator spare = gateway.simulator(SimOptions.defaults());
    ModelConfig chat = proxy("chat", busy, 1, new QueueSettings(0, Duration.ofMinutes(10)));
    gateway.model(new ModelConfig("chat", "chat", Map.of(), chat.timeouts(), chat.target(), List.of("spare"),
        chat.queue())).model(proxy("spare", spare, 0, PATIENT)).start();
    hold("chat", busy, "hold");

    RawHttp.Response served = send("chat", "overflow").readResponse();

    assertThat(served.status()).isEqualTo(200);
    assertThat(served.header("X-RoleMesh-Served-By")).startsWith("spare@");
    assertThat(served.header("Retry-After")).isNull();
    assertThat(received(spare)).containsExactly("overflow");
    assertThat(received(busy)).containsExactly("hold");
  }

  @Test
  void aRequestThatWaitedInAFallbacksQueueAfterItsOwnBackendRefusedEndsWithItsLine() throws IOException {
    Simulator spare = gateway.simulator(SimOptions.defaults());
    URI dead = URI.create("http://127.0.0.1:" + FreePorts.loopback());
    gateway.model(new ModelConfig("chat", "chat", Map.of(), Timeouts.DEFAULTS,
            new ModelTarget.Proxy(dead, null, null, 0), List.of("spare"), PATIENT))
        .model(proxy("spare", spare, 1, new QueueSettings(10, Duration.ofMillis(50)))).start();
    hold("spare", spare, "hold");
    RawHttp leaver = send("chat", "leaver");
    Await.until("the leaver waits in the fallback's queue", () -> waiting("spare") == 1);
    leaver.close();

    RawHttp.Response expired = send("chat", "late").readResponse();

    assertThat(expired.status()).isEqualTo(503);
    assertThat(expired.json().at("/error/code").asText()).isEqualTo("queue_timeout");
    Await.until("both access lines", () -> gateway.log().lines()
        .filter(line -> line.contains("\"event\":\"request\"") && line.contains("\"alias\":\"chat\""))
        .count() == 2);
    String metrics = gateway.get("/metrics", "Authorization", "Bearer " + CLIENT_KEY).body();
    assertThat(metrics).contains("rolemesh_requests_in_flight{role=\"chat\"} 0");
  }

  @Test
  void aRequestWaitingLongerThanMaxWaitGets503() throws IOException {
    Simulator sim = gateway.simulator(SimOptions.defaults());
    gateway.model(proxy("chat", sim, 1, new QueueSettings(10, Duration.ofMillis(50)))).start();
    hold("chat", sim, "hold");

    RawHttp.Response expired = send("chat", "late").readResponse();

    assertThat(expired.status()).isEqualTo(503);
    assertThat(expired.header("Retry-After")).isEqualTo("1");
    assertThat(expired.json().at("/error/code").asText()).isEqualTo("queue_timeout");
    assertThat(waiting("chat")).isZero();
    assertThat(received(sim)).containsExactly("hold");
  }

  @Test
  void aClientThatLeavesWhileQueuedLeavesTheQueueAndNeverReachesTheBackend() throws IOException {
    Simulator sim = gateway.simulator(SimOptions.defaults());
    gateway.model(proxy("chat", sim, 1, PATIENT)).start();
    RawHttp held = hold("chat", sim, "hold");
    RawHttp leaver = queued("chat", "leaver");

    leaver.close();
    Await.until("the leaver is out of the queue", () -> waiting("chat") == 0);
    held.close();

    assertThat(send("chat", "after").readResponse().status()).isEqualTo(200);
    assertThat(received(sim)).containsExactly("hold", "after");
    Await.until("the leaver's access line", () -> gateway.log().lines()
        .anyMatch(line -> line.contains("client left while queued") && line.contains("\"status\":499")
            && line.contains("\"queue_ms\"")));
  }

  @Test
  void aBareLlamaServersSlotsBoundWhatItIsSent() throws IOException {
    Simulator sim = gateway.simulator(SimOptions.defaults().withParallel(2));
    gateway.model(agentRole("agent", ModelTarget.Strategy.ROUND_ROBIN)).start();
    gateway.register(node("bare", sim, null));
    Await.until("the gateway asked the node's /slots", () -> gateway.log().contains("\"node_slots\""));
    RawHttp first = hold("agent", sim, "hold-1");
    hold("agent", sim, "hold-2");
    RawHttp third = queued("agent", "third");

    first.close();

    assertThat(third.readResponse().status()).isEqualTo(200);
    assertThat(received(sim)).containsExactly("hold-1", "hold-2", "third");
  }

  @Test
  void aNodeWhoseCapacityIsUnknownGetsEveryRequestAsBefore() throws IOException {
    Simulator sim = gateway.simulator(SimOptions.defaults().withParallel(1).withSlotsEndpoint(false));
    gateway.model(agentRole("agent", ModelTarget.Strategy.ROUND_ROBIN)).start();
    gateway.register(node("no-slots", sim, null));
    Await.until("the node's /slots said nothing", () -> gateway.log().contains("\"node_slots_unknown\""));

    for (int i = 0; i < 3; i++) {
      hold("agent", sim, "hold-" + i);
    }

    assertThat(sim.stats().active()).isEqualTo(3);
    assertThat(waiting("agent")).isZero();
  }

  @Test
  void aReloadKeepsTheWaitersAndARaisedLimitLetsThemGo() throws IOException {
    Simulator sim = gateway.simulator(SimOptions.defaults());
    gateway.model(proxy("chat", sim, 1, new QueueSettings(1, Duration.ofMinutes(10)))).start();
    hold("chat", sim, "hold");
    RawHttp waiter = queued("chat", "waits");
    GatewayConfig running = gateway.server().state().config();
    Map<String, ModelConfig> models = new LinkedHashMap<>(running.models());
    models.put("chat", proxy("chat", sim, 2, new QueueSettings(5, Duration.ofMinutes(10))));

    gateway.server().reload(new GatewayConfig(running.version(), running.defaultModel(), running.gateway(),
        running.auth(), models, running.source()));

    assertThat(waiter.readResponse().status()).isEqualTo(200);
    assertThat(received(sim)).containsExactly("hold", "waits");
    assertThat(gateway.server().state().queues().of("chat").limits().maxWaiting()).isEqualTo(5);
  }

  @Test
  void eachModelOfANodeCountsItsOwnSlots() throws IOException {
    // an agent with two GPUs, one model on each: a request for one model does not take the other's slot
    Simulator sim = gateway.simulator(SimOptions.defaults().withParallel(2));
    QueueSettings brief = new QueueSettings(10, Duration.ofSeconds(2));
    gateway.model(new ModelConfig("a", "a", Map.of(), Timeouts.DEFAULTS,
            new ModelTarget.Discovered("a", ModelTarget.Strategy.LEAST_BUSY), brief))
        .model(new ModelConfig("b", "b", Map.of(), Timeouts.DEFAULTS,
            new ModelTarget.Discovered("b", ModelTarget.Strategy.LEAST_BUSY), brief)).start();
    gateway.register("{\"node_id\":\"two-gpus\",\"base_url\":\"" + sim.baseUrl() + "\",\"served_models\":["
        + "{\"model_id\":\"ma\",\"roles\":[\"a\"],\"meta\":{\"parallel\":1}},"
        + "{\"model_id\":\"mb\",\"roles\":[\"b\"],\"meta\":{\"parallel\":1}}]}");
    RawHttp held = hold("a", sim, "on-a");

    assertThat(send("b", "on-b").readResponse().status()).isEqualTo(200);
    RawHttp second = queued("a", "second-a");
    held.close();
    assertThat(second.readResponse().status()).isEqualTo(200);
    assertThat(received(sim)).containsExactly("on-a", "on-b", "second-a");
  }

  @Test
  void twoAliasesOfOneRoleShareItsSlotsInArrivalOrder() throws IOException {
    Simulator sim = gateway.simulator(SimOptions.defaults());
    for (String alias : List.of("one", "two")) {
      gateway.model(agentRole(alias, ModelTarget.Strategy.LEAST_BUSY));
    }
    gateway.start();
    gateway.register(node("n1", sim, 1));
    // each alias first in line once: whichever queue a freed slot looks at first, the older request gets it
    RawHttp held = hold("one", sim, "hold-1");
    RawHttp x1 = queued("two", "x1");
    RawHttp x2 = queued("one", "x2");
    held.close();
    assertThat(x1.readResponse().status()).isEqualTo(200);
    assertThat(x2.readResponse().status()).isEqualTo(200);
    held = hold("two", sim, "hold-2");
    RawHttp y1 = queued("one", "y1");
    RawHttp y2 = queued("two", "y2");
    held.close();
    assertThat(y1.readResponse().status()).isEqualTo(200);
    assertThat(y2.readResponse().status()).isEqualTo(200);

    assertThat(received(sim)).containsExactly("hold-1", "x1", "x2", "hold-2", "y1", "y2");
  }

  @Test
  void queuedBodiesHoldAtMostHalfTheBodyBudgetSoRolesWithRoomStillGetTheirs() throws IOException {
    Simulator sim = gateway.simulator(SimOptions.defaults());
    // a wrongly queued second body gets queue_timeout within a minute, not a hang till read_s frees the slot
    gateway.maxInflightBodyBytes(100_000)
        .model(proxy("chat", sim, 1, new QueueSettings(10, Duration.ofMinutes(1)))).model(proxy("other", sim, 0, PATIENT)).start();
    hold("chat", sim, "hold");
    String pad = "x".repeat(30_000);
    RawHttp queued = RawHttp.post(gateway.port(), "/v1/chat/completions",
        "{\"pad\":\"" + pad + "\"," + body("chat", "big-1").substring(1), "Authorization", "Bearer " + CLIENT_KEY);
    open.add(queued);
    Await.until("the first large body waits", () -> waiting("chat") == 1);

    RawHttp.Response refused = RawHttp.post(gateway.port(), "/v1/chat/completions",
        "{\"pad\":\"" + pad + "\"," + body("chat", "big-2").substring(1), "Authorization", "Bearer " + CLIENT_KEY)
        .readResponse();
    RawHttp.Response other = RawHttp.post(gateway.port(), "/v1/chat/completions",
        "{\"pad\":\"" + pad + pad.substring(10_000) + "\"," + body("other", "big-other").substring(1),
        "Authorization", "Bearer " + CLIENT_KEY).readResponse();

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.header("Retry-After")).isEqualTo("1");
    assertThat(refused.json().at("/error/code").asText()).isEqualTo("queue_full");
    assertThat(refused.json().at("/error/message").asText()).contains("gateway.max_inflight_body_mb");
    assertThat(other.status()).isEqualTo(200);
    assertThat(waiting("chat")).isEqualTo(1);
  }

  @Test
  void aRequestWhoseNodeRefusesWaitsForASlotOnTheOthersInsteadOfFailing() throws IOException {
    Simulator sim = gateway.simulator(SimOptions.defaults());
    gateway.model(agentRole("agent", ModelTarget.Strategy.LEAST_BUSY)).start();
    gateway.register(node("live", sim, 1));
    RawHttp held = hold("agent", sim, "hold");
    // a node that is down, with a free slot: the only one the next request can be sent to now
    gateway.register("{\"node_id\":\"down\",\"base_url\":\"http://127.0.0.1:" + FreePorts.loopback()
        + "\",\"served_models\":[{\"model_id\":\"m\",\"roles\":[\"agent\"],\"meta\":{\"parallel\":1}}]}");

    RawHttp next = send("agent", "next");
    Await.until("the request waits, or failed", () -> waiting("agent") == 1
        || gateway.log().contains("connection refused"));
    held.close();

    RawHttp.Response answer = next.readResponse();
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("X-RoleMesh-Served-By")).isEqualTo("agent@live");
    assertThat(received(sim)).containsExactly("hold", "next");
    Await.until("its one access line", () -> gateway.log().lines()
        .anyMatch(line -> line.contains("\"status\":200") && line.contains("\"attempts\":2")
            && line.contains("\"queue_ms\"")));
  }
}
