package dev.rolemesh.api;

import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.RawUpstream;
import dev.rolemesh.testing.TestGateway;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node that registers without its capacity is asked for its {@code /slots}; one that answers with no end, or
 * endlessly, must not hold the gateway's memory or its probe.
 */
class SlotsProbeLimitsTest {

  private final TestGateway gateway = new TestGateway().clientAndNodeKeys();

  @AfterEach
  void stop() {
    gateway.close();
  }

  /** A registration without capacity for a node at {@code url}: the gateway asks its /slots. */
  private static String bare(String id, String url) {
    return "{\"node_id\":\"" + id + "\",\"base_url\":\"" + url + "\",\"served_models\":[{"
        + "\"model_id\":\"m\",\"roles\":[\"agent\"]}]}";
  }

  private static final String CHUNKED_HEAD =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

  @Test
  void aSlotsAnswerTooLargeToBeRealIsCutOffNotBuffered() throws IOException {
    AtomicBoolean cut = new AtomicBoolean();
    String chunk = "{},".repeat(20_000);
    try (RawUpstream node = RawUpstream.start(exchange -> {
      exchange.write(CHUNKED_HEAD + "1\r\n[\r\n");
      try {
        // 64 MB of slots, then a body that never ends: only a probe that stops reading lets go of it
        for (int i = 0; i < 1100; i++) {
          exchange.write(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
        }
      } catch (IOException gatewayHungUp) {
        cut.set(true);
        throw gatewayHungUp;
      }
      exchange.awaitGatewayClose();
    })) {
      gateway.discovered("agent", "agent", ModelTarget.Strategy.ROUND_ROBIN).start();
      gateway.register(bare("huge", node.url()));

      Await.until("the probe gave up on the node's /slots", () -> gateway.log().contains("\"node_slots_unknown\""));
      Await.until("the probe hung up mid-answer", cut::get);
    }
  }

  @Test
  void aSlotsAnswerThatTricklesForeverIsGivenUpOn() throws IOException {
    try (RawUpstream node = RawUpstream.start(exchange -> {
      exchange.write(CHUNKED_HEAD + "1\r\n[\r\n");
      // a byte now and then: never idle long enough for an idle timeout, never done
      while (true) {
        exchange.write("1\r\n \r\n");
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    })) {
      gateway.discovered("agent", "agent", ModelTarget.Strategy.ROUND_ROBIN).start();
      gateway.register(bare("trickle", node.url()));

      Await.until("the probe gave up on the node's /slots", () -> gateway.log().contains("\"node_slots_unknown\""));
    }
  }

}
