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
        .add("x-ROLEMESH-node-key", "node-secret")
        .add("TE", "trailers")
        .add("Proxy-AUTHORIZATION", "Basic x")
        .add("X-Header-Name-Longer-Than-Any-Hop-Header", "kept")
        .add("X-Custom", "kept");

    MultiMap upstream = MultiMap.caseInsensitiveMultiMap().add("Host", "backend:8080");
    HopHeaders.copyForUpstream(client, upstream);

    assertThat(upstream.names()).containsExactlyInAnyOrder("Host", "Content-Type", "Accept", "X-Custom",
        "X-Header-Name-Longer-Than-Any-Hop-Header");
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

    MultiMap client = MultiMap.caseInsensitiveMultiMap().add("X-Request-Id", "r1");
    HopHeaders.copyForClient(backend, client);

    assertThat(client.names())
        .containsExactlyInAnyOrder("X-Request-Id", "Content-Type", "X-Accel-Buffering", "Server");
  }
}
