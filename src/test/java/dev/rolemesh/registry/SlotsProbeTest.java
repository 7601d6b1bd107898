package dev.rolemesh.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class SlotsProbeTest {

  @Test
  void aRealLlamaServersSlotsListOneEntryPerSlot() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/fixtures/llama-server/slots.json")) {
      assertThat(SlotsProbe.count(Buffer.buffer(in.readAllBytes()))).isEqualTo(4);
    }
  }

  @Test
  void anythingButAnArrayLeavesTheCapacityUnknown() {
    assertThat(SlotsProbe.count(Buffer.buffer(
        "{\"error\":{\"code\":501,\"message\":\"This server does not support slots endpoint.\"}}"))).isZero();
    assertThat(SlotsProbe.count(Buffer.buffer("not json"))).isZero();
    assertThat(SlotsProbe.count(Buffer.buffer(""))).isZero();
  }
}
