package dev.rolemesh.metrics;

import static dev.rolemesh.testing.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.ScrapedMetrics;
import dev.rolemesh.testing.FreePorts;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.TestGateway;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /metrics after real traffic: every counter moves by exactly what was sent, token counts as the backend reported. */
class GatewayMetricsTest {

  private static TestGateway gateway;
  private static Simulator backend;
  private static String gone;

  @BeforeAll
  static void start() {
    gateway = new TestGateway();
    backend = gateway.simulator(SimOptions.defaults().withAlias("story"));
    gone = "http://127.0.0.1:" + FreePorts.loopback();
    gateway.proxy("writer", backend).proxy("gone", gone, Map.of(), TestGateway.FAST).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void countersMoveByTheTrafficSentAndTokensComeFromTheBackendsUsage() {
    ScrapedMetrics before = scrape();
    long input = 0;
    long output = 0;
    for (int i = 0; i < 3; i++) {
      JsonNode usage = gateway.post("/v1/chat/completions", chat("writer", "\"max_tokens\":" + (5 + i))).json()
          .path("usage");
      input += usage.path("prompt_tokens").asLong();
      output += usage.path("completion_tokens").asLong();
    }
    for (String options : new String[] {"", ",\"stream_options\":{\"include_usage\":true}"}) {
      JsonNode last = lastChunkWithTimings(gateway.post("/v1/chat/completions",
          chat("writer", "\"stream\":true,\"max_tokens\":7" + options)).body());
      input += last.path("timings").path("prompt_n").asLong() + last.path("timings").path("cache_n").asLong();
      output += last.path("timings").path("predicted_n").asLong();
    }
    assertThat(gateway.postChat("gone").statusCode()).isEqualTo(502);
    assertThat(gateway.postChat("nobody").statusCode()).isEqualTo(404);
    // An exchange is counted as its response ends, which may be a moment after the client read it.
    Await.until("all 7 requests counted", () -> requests(scrape()) - requests(before) == 7);
    ScrapedMetrics after = scrape();

    String node = backend.baseUrl();
    assertThat(delta(before, after, "rolemesh_requests_total", "role", "writer", "node", node, "status", "200"))
        .isEqualTo(5);
    assertThat(delta(before, after, "rolemesh_requests_total", "role", "gone", "node", gone, "status", "502"))
        .isEqualTo(1);
    assertThat(delta(before, after, "rolemesh_requests_total", "role", "", "node", "", "status", "404")).isEqualTo(1);
    assertThat(delta(before, after, "rolemesh_tokens_total", "role", "writer", "key", "", "direction", "input"))
        .isEqualTo(input).isPositive();
    assertThat(delta(before, after, "rolemesh_tokens_total", "role", "writer", "key", "", "direction", "output"))
        .isEqualTo(output).isPositive();
    assertThat(delta(before, after, "gen_ai_client_token_usage_sum", "gen_ai_request_model", "writer",
        "gen_ai_token_type", "output")).isEqualTo(output);
    assertThat(delta(before, after, "gen_ai_client_token_usage_count", "gen_ai_request_model", "writer",
        "gen_ai_token_type", "input")).isEqualTo(5);
    assertThat(delta(before, after, "gen_ai_server_request_duration_seconds_count", "gen_ai_request_model",
        "writer")).isEqualTo(5);
    assertThat(delta(before, after, "gen_ai_server_time_to_first_token_seconds_count", "gen_ai_request_model",
        "writer")).isEqualTo(2);
    assertThat(delta(before, after, "rolemesh_upstream_failures_total", "role", "gone", "node", gone, "kind",
        "refused")).isEqualTo(1);
    assertThat(after.value("rolemesh_requests_in_flight", "role", "writer")).isZero();
    assertThat(after.value("rolemesh_role_available", "role", "writer")).isEqualTo(1);
    assertThat(after.value("rolemesh_role_available", "role", "gone")).isZero();
    assertThat(after.value("rolemesh_nodes", "state", "fresh")).isZero();
    assertThat(after.has("rolemesh_config_reloads_total", "result", "applied")).isTrue();
    assertThat(after.has("rolemesh_config_reloads_total", "result", "failed")).isTrue();
  }

  @Test
  void theAccessLogCarriesTheTokenCountsAndTheRun() {
    JsonResponse response = gateway.post("/v1/chat/completions", chat("writer", "\"max_tokens\":3"),
        "X-RoleMesh-Run", "run-log-1", "X-Request-Id", "tokens-in-log");
    long output = response.json().path("usage").path("completion_tokens").asLong();

    assertThat(backend.stats().lastRequest().headers()).containsEntry("x-rolemesh-run", "run-log-1");
    String line = accessLine("tokens-in-log");
    assertThat(Json.parse(line).path("output_tokens").asLong()).isEqualTo(output);
    assertThat(Json.parse(line).path("run").asText()).isEqualTo("run-log-1");
  }

  @Test
  void theOpenAiUserFieldNamesTheRunWhenNoHeaderDoes() {
    gateway.post("/v1/chat/completions", chat("writer", "\"user\":\"agent-7\""), "X-Request-Id", "user-run");

    assertThat(backend.stats().lastRequest().headers()).containsEntry("x-rolemesh-run", "agent-7");
    String line = accessLine("user-run");
    assertThat(Json.parse(line).path("run").asText()).isEqualTo("agent-7");
  }

  @Test
  void aConfigReloadIsCountedAndTheCountsSurviveIt() {
    ScrapedMetrics before = scrape();
    double served = before.value("rolemesh_requests_total", "role", "writer", "node", backend.baseUrl(), "status",
        "200");

    gateway.server().reload(gateway.server().state().config());

    ScrapedMetrics after = scrape();
    assertThat(delta(before, after, "rolemesh_config_reloads_total", "result", "applied")).isEqualTo(1);
    assertThat(delta(before, after, "rolemesh_config_reloads_total", "result", "failed")).isZero();
    assertThat(after.value("rolemesh_requests_total", "role", "writer", "node", backend.baseUrl(), "status", "200"))
        .isEqualTo(served);
  }

  /** The access line is written just after the client has its answer: waited for, not expected at once. */
  private static String accessLine(String requestId) {
    String[] line = new String[1];
    Await.until("the access line of " + requestId, () -> {
      line[0] = gateway.log().lines().filter(l -> l.contains("\"" + requestId + "\"")).findFirst().orElse(null);
      return line[0] != null;
    });
    return line[0];
  }

  private static ScrapedMetrics scrape() {
    JsonResponse response = gateway.get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
    return ScrapedMetrics.parse(response.body());
  }

  private static double requests(ScrapedMetrics metrics) {
    return metrics.samples().entrySet().stream().filter(e -> e.getKey().startsWith("rolemesh_requests_total{"))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  private static double delta(ScrapedMetrics before, ScrapedMetrics after, String name, String... labels) {
    return after.value(name, labels) - before.value(name, labels);
  }

  private static JsonNode lastChunkWithTimings(String sse) {
    JsonNode last = null;
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: {")) {
        JsonNode chunk = Json.parse(line.substring(6));
        if (chunk.has("timings")) {
          last = chunk;
        }
      }
    }
    assertThat(last).as("a chunk with timings in " + sse).isNotNull();
    return last;
  }
}
