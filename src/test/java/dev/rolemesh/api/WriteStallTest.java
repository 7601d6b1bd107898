package dev.rolemesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.Timeouts;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.TestGateway;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A client that stops reading a stream must not hold the backend's slot forever. */
class WriteStallTest {

  @Test
  void aResponseThatCannotBeWrittenForWriteStallIsCutAndTheBackendReleased() throws Exception {
    // About 250 MB of chunks, which no socket buffers hold. 12 MB could: the kernel lets the gateway's receive buffer
    // from the backend grow to net.ipv4.tcp_rmem's maximum (32 MiB here), the backend then finished its answer before
    // the stall was noticed, and "the backend is released" was never true (a 90 s wait that failed now and then).
    int tokens = 1_000_000;
    try (TestGateway gateway = new TestGateway()) {
      Simulator sim = gateway.simulator(SimOptions.defaults().withCtxSize(2 * tokens));
      // read_s far beyond the stall limit: only write_stall_s can end this exchange.
      Timeouts stallLimit = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(300), null, Duration.ofMillis(500));
      gateway.proxy("writer", sim.baseUrl(), Map.of(), stallLimit).start();
      String body = "{\"model\":\"writer\",\"prompt\":\"x\",\"max_tokens\":" + tokens
          + ",\"ignore_eos\":true,\"stream\":true}";

      try (RawHttp client = new RawHttp(gateway.port(), 16 * 1024)) {
        client.send("POST", "/v1/completions", body);

        Await.until("the backend is released", () -> sim.stats().cancelledTotal() == 1);
        String done;
        try {
          done = client.readUntil("data: [DONE]");
        } catch (IOException reset) {
          done = null;
        }
        assertThat(done).as("a cut stream never ends like a complete one").isNull();
      }
      Await.until("logged", () -> gateway.log().contains("write_stall_s=0.5s"));
      assertThat(gateway.log()).contains("client stopped reading");
    }
  }
}
