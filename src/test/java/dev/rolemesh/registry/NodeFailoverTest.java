package dev.rolemesh.registry;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static dev.rolemesh.testing.TestGateway.CLIENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.JavaProcess;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.NodeRegistrations;
import dev.rolemesh.testing.TestGateway;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two simulator processes serve a role; clients keep sending while one of them is killed with SIGKILL. Every
 * request must still succeed, through the survivor, except those the dead node had already taken in full: those
 * are not retried (the gateway cannot tell a kill from a crash that the request itself caused).
 */
class NodeFailoverTest {

  private static final Pattern LISTENING = Pattern.compile("sim: listening on (http://\\S+)");
  private static final int CLIENTS = 4;

  /** A simulator in its own JVM, as {@code rolemesh sim} runs it, so it can be killed like a machine failing. */
  private static JavaProcess startSim(String alias) throws Exception {
    return JavaProcess.start(null, "sim", "--port", "0", "-a", alias);
  }

  private static String baseUrl(JavaProcess sim) {
    Matcher listening = LISTENING.matcher(sim.awaitLine(line -> LISTENING.matcher(line).find()));
    listening.find();
    return listening.group(1);
  }

  @Test
  void killingOneOfTwoNodesMidRunCostsOnlyTheRequestsItHadTaken() throws Exception {
    JavaProcess a = startSim("sim-a");
    JavaProcess b = startSim("sim-b");
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    AtomicBoolean running = new AtomicBoolean(true);
    try (TestGateway gateway = new TestGateway().clientAndNodeKeys()
        .discovered("reviewer", "reviewer", ROUND_ROBIN).start()) {
      gateway.register(NodeRegistrations.legacy("a", baseUrl(a), "reviewer"));
      gateway.register(NodeRegistrations.legacy("b", baseUrl(b), "reviewer"));

      Map<String, AtomicLong> servedBy = new ConcurrentHashMap<>();
      Queue<String> failures = new ConcurrentLinkedQueue<>();
      for (int i = 0; i < CLIENTS; i++) {
        clients.execute(() -> {
          while (running.get()) {
            try {
              JsonResponse response = gateway.postChat("reviewer", "Authorization", "Bearer " + CLIENT_KEY);
              if (response.statusCode() == 200) {
                servedBy.computeIfAbsent(response.json().path("model").asText(), k -> new AtomicLong())
                    .incrementAndGet();
              } else {
                failures.add(response.statusCode() + " " + response.body());
              }
            } catch (Exception | AssertionError e) {
              // A call that could not complete comes as an AssertionError: it must be counted, not end the client.
              failures.add(e.toString());
            }
          }
        });
      }
      Await.until("both nodes to serve", () -> count(servedBy, "sim-a") >= 20 && count(servedBy, "sim-b") >= 20);

      a.kill();
      long bBefore = count(servedBy, "sim-b");
      long aAfterKill = count(servedBy, "sim-a");
      Await.until("100 more answers from the survivor, or more failures than requests in flight",
          () -> count(servedBy, "sim-b") >= bBefore + 100 || failures.size() > CLIENTS);
      running.set(false);
      clients.shutdown();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

      // Each client has at most one request in flight when the kill lands.
      assertThat(failures).hasSizeLessThanOrEqualTo(CLIENTS)
          .allSatisfy(failure -> assertThat(failure).startsWith("502")
              .containsAnyOf("upstream closed the connection", "upstream reset the connection"));
      // At most the requests already answered when the kill landed can still have come from the dead node.
      assertThat(count(servedBy, "sim-a")).isLessThanOrEqualTo(aAfterKill + CLIENTS);
    } finally {
      running.set(false);
      clients.shutdownNow();
      a.kill();
      b.kill();
    }
  }

  private static long count(Map<String, AtomicLong> servedBy, String model) {
    AtomicLong count = servedBy.get(model);
    return count == null ? 0 : count.get();
  }
}
