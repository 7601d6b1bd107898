package dev.rolemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.RawHttp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Embeddings, endpoints switched off, and what /sim/stats records. */
class SimulatorEndpointsTest extends SimulatorTestBase {

  @Test
  void embeddingsAreDeterministicUnitVectorsInOpenAiShape() throws Exception {
    Simulator sim = start(SimOptions.defaults().withEmbeddings(true).withAlias("embedder"));
    JsonNode first = post(sim, "/v1/embeddings", "{\"input\":[\"hello\",\"world\"]}").json();
    JsonNode again = post(sim, "/v1/embeddings", "{\"input\":\"hello\"}").json();

    assertThat(first.get("object").asText()).isEqualTo("list");
    assertThat(first.get("model").asText()).isEqualTo("embedder");
    assertThat(first.at("/usage/prompt_tokens").asInt()).isEqualTo(first.at("/usage/total_tokens").asInt()).isPositive();
    assertThat(first.get("data")).hasSize(2);
    JsonNode hello = first.at("/data/0/embedding");
    assertThat(hello).hasSize(Embeddings.DIMENSIONS);
    assertThat(first.at("/data/1/index").asInt()).isEqualTo(1);
    assertThat(first.at("/data/1/object").asText()).isEqualTo("embedding");
    assertThat(again.at("/data/0/embedding")).isEqualTo(hello);
    assertThat(first.at("/data/1/embedding")).isNotEqualTo(hello);
    double norm = 0;
    for (JsonNode value : hello) {
      norm += value.asDouble() * value.asDouble();
    }
    assertThat(norm).isBetween(0.999, 1.001);
  }

  @Test
  void switchedOffEndpointsAnswer501LikeLlamaServer() throws Exception {
    Simulator sim = start(SimOptions.defaults().withSlotsEndpoint(false));
    for (RawHttp.Response response : List.of(
        get(sim, "/metrics"), get(sim, "/slots"), post(sim, "/v1/embeddings", "{\"input\":\"x\"}"))) {
      assertThat(response.status()).isEqualTo(501);
      assertThat(response.json().at("/error/type").asText()).isEqualTo("not_supported_error");
    }
  }

  @Test
  void missingPromptIsA400() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    RawHttp.Response response = post(sim, "/v1/completions", "{\"max_tokens\":3}");
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().at("/error/message").asText()).isEqualTo("\"prompt\" is required");
  }

  @Test
  void statsRecordWhatTheBackendReceived() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    String body = "{\"model\":\"planner\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.2}";
    post(sim, "/v1/chat/completions", body, "Authorization", "Bearer sk-test", "X-Request-Id", "req-42");
    get(sim, "/health");
    Await.until("the clients' connections are closed", () -> sim.stats().connectionsOpen() == 0);

    JsonNode stats = stats(sim);
    JsonNode last = stats.get("last_request");
    assertThat(last.get("method").asText()).isEqualTo("POST");
    assertThat(last.get("path").asText()).isEqualTo("/v1/chat/completions");
    assertThat(last.at("/headers/authorization").asText()).isEqualTo("Bearer sk-test");
    assertThat(last.at("/headers/x-request-id").asText()).isEqualTo("req-42");
    assertThat(last.get("body")).isEqualTo(Fixtures.parse(body));
    assertThat(stats.get("requests_total").asInt()).isEqualTo(2);
    assertThat(stats.at("/requests_by_path/~1health").asInt()).isEqualTo(1);
    assertThat(stats.get("recent")).hasSize(1);
    assertThat(stats.get("completed_total").asInt()).isEqualTo(1);
    assertThat(stats.get("connections_open").asInt()).isEqualTo(1);
    SimStats.RecordedRequest inProcess = sim.stats().lastRequest();
    assertThat(inProcess.headers()).containsEntry("x-request-id", "req-42");
    assertThat(inProcess.body()).isEqualTo(last.get("body"));
  }

  @Test
  void recentKeepsTheLastRequestsOnly() throws Exception {
    Simulator sim = start(SimOptions.defaults());
    for (int i = 0; i < StatsRecorder.RECENT_LIMIT + 3; i++) {
      get(sim, "/v1/models?i=" + i);
    }
    JsonNode recent = stats(sim).get("recent");
    assertThat(recent).hasSize(StatsRecorder.RECENT_LIMIT);
    assertThat(sim.stats().recent().getLast().path()).isEqualTo("/v1/models");
  }
}
