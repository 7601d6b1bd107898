package dev.rolemesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

class HopHeadersTest {

  @Test
  void upstreamNeverSeesHopByHopHeadersOrClientCredentials() {
    MultiMap client = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/json")
        .add("Accept", "text/event-stream")
        .add("Authorization", "Bearer client-key")
        .add("X-Api-Key", "client-key")
        .add("Connection", "keep-alive, X-Private")
        .add("X-Private", "only for this hop")
        .add("Keep-Alive", "timeout=5")
        .add("Transfer-Encoding", "chunked")
        .add("Host", "gateway:8000")
        .add("Content-Length", "12")
        .add("X-Custom", "kept");

    MultiMap upstream = HopHeaders.forUpstream(client);

    assertThat(upstream.names()).containsExactlyInAnyOrder("Content-Type", "Accept", "X-Custom");
  }

  @Test
  void clientGetsEndToEndResponseHeaders() {
    MultiMap backend = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "text/event-stream")
        .add("X-Accel-Buffering", "no")
        .add("Transfer-Encoding", "chunked")
        .add("Keep-Alive", "timeout=5, max=100")
        .add("Content-Length", "10")
        .add("Server", "llama.cpp");

    assertThat(HopHeaders.forClient(backend).names())
        .containsExactlyInAnyOrder("Content-Type", "X-Accel-Buffering", "Server");
  }
}
