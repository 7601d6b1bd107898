package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.RawHttp;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** Starts simulators on ephemeral ports of 127.0.0.1 and talks to them over real sockets. */
abstract class SimulatorTestBase {

  static Vertx vertx;
  private final List<Simulator> started = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    Await.result(vertx.close());
  }

  @AfterEach
  void closeSimulators() throws Exception {
    for (Simulator simulator : started) {
      Await.result(simulator.close());
    }
  }

  Simulator start(SimOptions options) throws Exception {
    Simulator simulator = Await.result(Simulator.start(vertx, options.withPort(0)));
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

  static String chat(int maxTokens, boolean stream) {
    return "{\"model\":\"any\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}],\"max_tokens\":"
        + maxTokens + ",\"stream\":" + stream + "}";
  }
}
