package dev.rolemesh.registry;

import static dev.rolemesh.testing.TestGateway.CLIENT_KEY;
import static dev.rolemesh.testing.TestGateway.NODE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.QueueSettings;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.NodeRegistrations;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.TestGateway;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bare llama-server's capacity is learnt again after a gateway restart, from its first heartbeat. */
class SlotsAfterRestartTest {

  @TempDir Path dir;

  private static long asked(TestGateway gateway) {
    return gateway.log().lines().filter(line -> line.contains("\"event\":\"node_slots\"")).count();
  }

  @Test
  void aNodeRestoredFromTheStateFileIsAskedForItsSlotsAtItsFirstHeartbeat() throws IOException {
    try (TestGateway gateway = new TestGateway().clientAndNodeKeys()
        .registry(new RegistrySettings(dir.resolve("state"), Duration.ofSeconds(30), InstantSource.system()))) {
      Simulator sim = gateway.simulator(SimOptions.defaults().withParallel(1));
      gateway.model(new ModelConfig("agent", "agent", Map.of(), Timeouts.DEFAULTS,
          new ModelTarget.Discovered("agent", ModelTarget.Strategy.ROUND_ROBIN),
          new QueueSettings(10, Duration.ofMinutes(10)))).start();
      gateway.register(NodeRegistrations.serving("bare", sim.baseUrl(), "m", "agent"));
      Await.until("the node's /slots asked", () -> asked(gateway) == 1);
      gateway.post("/v1/nodes/heartbeat", "{\"node_id\":\"bare\"}", "X-RoleMesh-Node-Key", NODE_KEY);
      assertThat(asked(gateway)).as("asked once per registration, not per heartbeat").isEqualTo(1);

      gateway.restart();
      assertThat(gateway.post("/v1/nodes/heartbeat", "{\"node_id\":\"bare\"}", "X-RoleMesh-Node-Key", NODE_KEY)
          .statusCode()).isEqualTo(200);

      Await.until("the restored node's /slots asked", () -> asked(gateway) == 2);
      try (RawHttp held = RawHttp.post(gateway.port(), "/v1/chat/completions", chat("held"),
          "Authorization", "Bearer " + CLIENT_KEY, "X-Sim-Fail", "hang")) {
        Await.until("the simulator holds the first request", () -> sim.stats().active() == 1);
        RawHttp waiting = RawHttp.post(gateway.port(), "/v1/chat/completions", chat("waits"),
            "Authorization", "Bearer " + CLIENT_KEY);
        Await.until("the second request waits for the one slot",
            () -> gateway.server().state().queues().of("agent").waiting() == 1);
        held.close();
        assertThat(waiting.readResponse().status()).isEqualTo(200);
        waiting.close();
      }
    }
  }

  private static String chat(String content) {
    return "{\"model\":\"agent\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
  }
}
