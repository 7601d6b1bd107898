package dev.rolemesh.api;

import static dev.rolemesh.testing.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With client keys configured, every /v1 call needs one; health checks stay open; keys never travel upstream. */
class AuthTest {

  private static TestGateway gateway;
  private static Simulator backend;

  @BeforeAll
  static void start() {
    gateway = new TestGateway().auth(new AuthConfig(List.of("client-key-1", "client-key-2"), List.of("node-key")));
    backend = gateway.simulator(SimOptions.defaults());
    gateway.proxy("planner", backend).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void bearerAndXApiKeyAreBothAccepted() {
    assertThat(gateway.post("/v1/chat/completions", chat("planner", ""),
        "Authorization", "Bearer client-key-1").statusCode()).isEqualTo(200);
    assertThat(gateway.post("/v1/chat/completions", chat("planner", ""),
        "X-Api-Key", "client-key-2").statusCode()).isEqualTo(200);
    assertThat(gateway.get("/v1/models", "X-Api-Key", "client-key-1").statusCode()).isEqualTo(200);
  }

  @Test
  void missingWrongOrNodeKeysAre401() {
    HttpResponse<String> missing = gateway.post("/v1/chat/completions", chat("planner", ""));
    HttpResponse<String> wrong = gateway.post("/v1/chat/completions", chat("planner", ""),
        "Authorization", "Bearer nope");
    HttpResponse<String> nodeKey = gateway.post("/v1/chat/completions", chat("planner", ""),
        "Authorization", "Bearer node-key");

    for (HttpResponse<String> response : List.of(missing, wrong, nodeKey)) {
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.body()).contains("\"type\":\"authentication_error\"");
    }
    assertThat(gateway.get("/v1/models").statusCode()).isEqualTo(401);
    assertThat(gateway.get("/v1/models/planner").statusCode()).isEqualTo(401);
  }

  @Test
  void healthAndReadyNeedNoKey() {
    assertThat(gateway.get("/health").statusCode()).isEqualTo(200);
    assertThat(gateway.get("/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void theClientKeyIsNeverForwardedUpstream() {
    gateway.post("/v1/chat/completions", chat("planner", ""), "Authorization", "Bearer client-key-1",
        "X-Api-Key", "client-key-1");

    assertThat(backend.stats().lastRequest().headers()).doesNotContainKeys("authorization", "x-api-key");
  }
}
