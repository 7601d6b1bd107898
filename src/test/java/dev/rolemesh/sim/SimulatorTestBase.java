package dev.rolemesh.sim;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** Starts simulators on ephemeral ports of 127.0.0.1 and talks to them over real sockets. */
abstract class SimulatorTestBase {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  static Vertx vertx;
  private final List<Simulator> started = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeSimulators() throws Exception {
    for (Simulator simulator : started) {
      simulator.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  Simulator start(SimOptions options) throws Exception {
    Simulator simulator =
        Simulator.start(vertx, options.withPort(0)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    started.add(simulator);
    return simulator;
  }

  static RawHttp.Response get(Simulator sim, String path) {
    return RawHttp.call(sim.port(), "GET", path, null);
  }

  static RawHttp.Response post(Simulator sim, String path, String body, String... headerPairs) {
    return RawHttp.call(sim.port(), "POST", path, body, headerPairs);
  }

  /** GET /sim/stats, the way other components' tests read it. */
  static JsonNode stats(Simulator sim) {
    return get(sim, "/sim/stats").json();
  }

  static JsonNode slot(Simulator sim, int id) {
    return get(sim, "/slots").json().get(id);
  }

  /** Waits until {@code condition} holds, polling; fails after a generous deadline. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting until " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  static String chat(int maxTokens, boolean stream) {
    return "{\"model\":\"any\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}],\"max_tokens\":"
        + maxTokens + ",\"stream\":" + stream + "}";
  }
}
