package dev.rolemesh.api;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.NodeRegistrations;
import dev.rolemesh.testing.RawUpstream;
import dev.rolemesh.testing.TestGateway;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A request goes to another node only when the first cannot have started on it: a backend that took the whole
 * request and then died may have died of that request, and must not take two more nodes with it.
 */
class RetryTest {

  private static String chatLine(TestGateway gateway) {
    return gateway.log().lines().filter(line -> line.contains("\"path\":\"/v1/chat/completions\""))
        .findFirst().orElse(null);
  }

  @Test
  void aBackendThatClosesAfterReadingTheWholeRequestIsNotRetriedElsewhere() throws Exception {
    RawUpstream.Script crash = exchange -> exchange.readBody();
    try (RawUpstream a = RawUpstream.start(crash); RawUpstream b = RawUpstream.start(crash);
        RawUpstream c = RawUpstream.start(crash); TestGateway gateway = new TestGateway()) {
      gateway.discovered("reviewer", "reviewer", ROUND_ROBIN).start();
      gateway.register(NodeRegistrations.legacy("a", a.url(), "reviewer"));
      gateway.register(NodeRegistrations.legacy("b", b.url(), "reviewer"));
      gateway.register(NodeRegistrations.legacy("c", c.url(), "reviewer"));

      JsonResponse response = gateway.postChat("reviewer");

      assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
      assertThat(response.json().path("error").path("message").asText()).contains("closed");
      // (the gateway also asks each node, which reports no capacity, for its /slots)
      List<String> seen = Stream.of(a, b, c).flatMap(node -> node.requestLines().stream())
          .filter(line -> line.startsWith("POST")).toList();
      assertThat(seen).hasSize(1);
      Await.until("logged", () -> chatLine(gateway) != null);
      assertThat(chatLine(gateway)).doesNotContain("\"attempts\"");
    }
  }

  @Test
  void aBackendThatHangsUpBeforeTheRequestIsWrittenIsRetriedOnTheNextNode() throws Exception {
    // Reads only the head and hangs up: with a small receive buffer, most of an 8 MiB body cannot have left the
    // gateway, so the backend cannot have started on it.
    try (RawUpstream a = RawUpstream.start(4096, exchange -> {});
        TestGateway gateway = new TestGateway()) {
      Simulator b = gateway.simulator(SimOptions.defaults().withAlias("b"));
      gateway.discovered("reviewer", "reviewer", ROUND_ROBIN).start();
      gateway.register(NodeRegistrations.legacy("a", a.url(), "reviewer"));
      gateway.register(NodeRegistrations.legacy("b", b.baseUrl(), "reviewer"));

      JsonResponse response = gateway.post("/v1/chat/completions",
          TestGateway.chat("reviewer", "\"user\":\"" + "x".repeat(8 << 20) + "\""));

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(a.requestLines().stream().filter(line -> line.startsWith("POST"))).hasSize(1);
      Await.until("logged", () -> chatLine(gateway) != null);
      assertThat(chatLine(gateway)).contains("\"attempts\":2");
    }
  }
}
