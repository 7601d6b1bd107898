package dev.rolemesh.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.registry.TestGateway.Response;
import dev.rolemesh.testing.Await;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Two simulator processes serve a role; clients keep sending while one of them is killed with SIGKILL. Every
 * request must still succeed, through the survivor.
 */
class NodeFailoverTest {

  private static final Pattern LISTENING = Pattern.compile("sim: listening on (http://\\S+)");
  private static final int CLIENTS = 4;

  @TempDir
  Path dir;

  /** A simulator in its own JVM, as {@code rolemesh sim} runs it. */
  private record SimProcess(Process process, String baseUrl) {

    static SimProcess start(String alias) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          "dev.rolemesh.cli.Main", "sim", "--port", "0", "-a", alias)
          .redirectErrorStream(true)
          .start();
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null) {
        Matcher listening = LISTENING.matcher(line);
        if (listening.find()) {
          // Keep draining so the simulator never blocks on a full pipe.
          Thread.ofPlatform().daemon().start(() -> out.lines().forEach(ignored -> { }));
          return new SimProcess(process, listening.group(1));
        }
      }
      throw new AssertionError("simulator " + alias + " exited before listening: " + process.waitFor());
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void killingOneOfTwoNodesMidRunCostsNoClientAnError() throws Exception {
    SimProcess a = SimProcess.start("sim-a");
    SimProcess b = SimProcess.start("sim-b");
    Vertx vertx = Vertx.vertx();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    AtomicBoolean running = new AtomicBoolean(true);
    try (TestGateway gateway = TestGateway.start(vertx, dir, "reviewer", """
              reviewer:
                type: discovered
                role: reviewer
                strategy: round_robin
            """, new RegistrySettings(null, Duration.ofSeconds(30), InstantSource.system()))) {
      gateway.register("{\"node_id\":\"a\",\"base_url\":\"" + a.baseUrl() + "\",\"roles\":[\"reviewer\"]}");
      gateway.register("{\"node_id\":\"b\",\"base_url\":\"" + b.baseUrl() + "\",\"roles\":[\"reviewer\"]}");

      Map<String, AtomicLong> servedBy = new ConcurrentHashMap<>();
      Queue<String> failures = new ConcurrentLinkedQueue<>();
      for (int i = 0; i < CLIENTS; i++) {
        clients.execute(() -> {
          while (running.get()) {
            try {
              Response response = gateway.chat("reviewer");
              if (response.status() == 200) {
                servedBy.computeIfAbsent(response.json().path("model").asText(), k -> new AtomicLong())
                    .incrementAndGet();
              } else {
                failures.add(response.status() + " " + response.body());
              }
            } catch (Exception e) {
              failures.add(e.toString());
            }
          }
        });
      }
      Await.until("both nodes to serve", () -> count(servedBy, "sim-a") >= 20 && count(servedBy, "sim-b") >= 20);

      a.kill();
      long bBefore = count(servedBy, "sim-b");
      long aAfterKill = count(servedBy, "sim-a");
      Await.until("100 more answers from the survivor, or a failure",
          () -> count(servedBy, "sim-b") >= bBefore + 100 || !failures.isEmpty());
      running.set(false);
      clients.shutdown();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

      assertThat(failures).isEmpty();
      // At most the requests already answered when the kill landed can still have come from the dead node.
      assertThat(count(servedBy, "sim-a")).isLessThanOrEqualTo(aAfterKill + CLIENTS);
    } finally {
      running.set(false);
      clients.shutdownNow();
      a.process().destroyForcibly();
      b.kill();
      vertx.close().await();
    }
  }

  private static long count(Map<String, AtomicLong> servedBy, String model) {
    AtomicLong count = servedBy.get(model);
    return count == null ? 0 : count.get();
  }
}
