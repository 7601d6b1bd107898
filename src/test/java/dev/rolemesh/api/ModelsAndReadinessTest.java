package dev.rolemesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.FreePorts;
import dev.rolemesh.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /v1/models lists only what can serve now; /ready follows the default model; /health never probes. */
class ModelsAndReadinessTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private TestGateway gateway;

  @AfterEach
  void stop() {
    gateway.close();
  }

  private static String closedPortUrl() {
    return "http://127.0.0.1:" + FreePorts.loopback();
  }

  @Test
  void onlyReachableModelsAreListedAndTheRestCarryAReason() throws Exception {
    gateway = new TestGateway();
    Simulator up = gateway.simulator(SimOptions.defaults());
    Simulator loading = gateway.simulator(SimOptions.defaults().withLoadDelayMs(600_000));
    gateway.proxy("planner", up)
        .proxy("writer", closedPortUrl(), Map.of(), TestGateway.FAST)
        .proxy("coder", loading)
        .start();

    JsonNode list = JSON.readTree(gateway.get("/v1/models").body());

    assertThat(list.path("object").asText()).isEqualTo("list");
    assertThat(list.path("data")).hasSize(1);
    JsonNode model = list.path("data").get(0);
    assertThat(model.path("id").asText()).isEqualTo("planner");
    assertThat(model.path("object").asText()).isEqualTo("model");
    assertThat(model.path("owned_by").asText()).isEqualTo("rolemesh");
    assertThat(model.path("created").asLong()).isPositive();
    JsonNode unavailable = list.path("rolemesh").path("unavailable_models");
    assertThat(unavailable).hasSize(2);
    assertThat(unavailable.get(0).path("alias").asText()).isEqualTo("writer");
    assertThat(unavailable.get(0).path("reason").asText()).isEqualTo("connection refused");
    assertThat(unavailable.get(1).path("alias").asText()).isEqualTo("coder");
    assertThat(unavailable.get(1).path("reason").asText()).isEqualTo("HTTP 503: Loading model");
  }

  @Test
  void oneModelCanBeRetrievedById() throws Exception {
    gateway = new TestGateway();
    Simulator up = gateway.simulator(SimOptions.defaults());
    gateway.proxy("planner", up).proxy("writer", closedPortUrl(), Map.of(), TestGateway.FAST).start();

    HttpResponse<String> planner = gateway.get("/v1/models/planner");
    HttpResponse<String> writer = gateway.get("/v1/models/writer");
    HttpResponse<String> unknown = gateway.get("/v1/models/gpt-4");

    assertThat(planner.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(planner.body()).path("id").asText()).isEqualTo("planner");
    assertThat(writer.statusCode()).isEqualTo(503);
    assertThat(writer.body()).contains("connection refused");
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  @Test
  void readyFollowsTheDefaultModelAndHealthDoesNotProbe() throws Exception {
    gateway = new TestGateway();
    Simulator up = gateway.simulator(SimOptions.defaults());
    gateway.proxy("planner", closedPortUrl(), Map.of(), TestGateway.FAST).proxy("writer", up).start();

    HttpResponse<String> notReady = gateway.get("/ready");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(notReady.body()).path("reason").asText()).isEqualTo("connection refused");
    assertThat(JSON.readTree(notReady.body()).path("default_model").asText()).isEqualTo("planner");

    long probesBefore = up.stats().requestsTotal();
    assertThat(gateway.get("/health").body()).isEqualTo("{\"status\":\"ok\"}");
    assertThat(up.stats().requestsTotal()).isEqualTo(probesBefore);
  }

  @Test
  void readyIs200WhenTheDefaultModelAnswers() {
    gateway = new TestGateway();
    Simulator up = gateway.simulator(SimOptions.defaults());
    gateway.proxy("planner", up).start();

    HttpResponse<String> ready = gateway.get("/ready");

    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"status\":\"ready\"");
  }
}
