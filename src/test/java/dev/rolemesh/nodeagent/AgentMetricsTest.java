package dev.rolemesh.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.ScrapedMetrics;
import dev.rolemesh.testing.JsonResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent's /metrics: its servers per GPU, the requests that waited for a load, and each running llama-server's
 * own metrics merged in with model and gpu labels.
 */
class AgentMetricsTest {

  @RegisterExtension final AgentHarness harness = new AgentHarness();

  @Test
  void serversLoadsWaitsAndTheServersOwnMetricsWithModelAndGpuLabels() throws Exception {
    StringBuilder yaml = new StringBuilder("gpus: [0, 1]\nmodels:\n");
    for (String id : List.of("alpha", "beta")) {
      yaml.append("  - {model_id: ").append(id).append(", path: ").append(harness.weights(id + ".gguf"))
          .append(", roles: [").append(id).append("-role], gpu: ").append(id.equals("alpha") ? 0 : 1)
          .append("}\n");
    }
    harness.start(yaml.toString());
    ScrapedMetrics idle = scrape();
    assertThat(idle.value("rolemesh_agent_server_state", "gpu", "0", "state", "empty", "model", "")).isEqualTo(1);
    assertThat(idle.samples().keySet()).noneMatch(key -> key.startsWith("llamacpp:"));

    // Both loads are held until three requests wait: two for alpha, one for beta.
    Files.createFile(harness.hold());
    List<CompletableFuture<JsonResponse>> responses = new ArrayList<>();
    responses.add(harness.chatAsync("alpha", false));
    responses.add(harness.chatAsync("alpha", true));
    responses.add(harness.chatAsync("beta", false));
    Await.until("three requests to wait", () -> scrape().value("rolemesh_agent_requests_waiting") == 3);
    Files.delete(harness.hold());
    for (CompletableFuture<JsonResponse> response : responses) {
      assertThat(response.get().statusCode()).isEqualTo(200);
    }
    assertThat(harness.chat("alpha").statusCode()).isEqualTo(200);

    ScrapedMetrics after = scrape();
    assertThat(after.value("rolemesh_agent_server_state", "gpu", "0", "state", "ready", "model", "alpha"))
        .isEqualTo(1);
    assertThat(after.value("rolemesh_agent_server_state", "gpu", "1", "state", "ready", "model", "beta"))
        .isEqualTo(1);
    assertThat(after.value("rolemesh_agent_server_loads_total", "gpu", "0")).isEqualTo(1);
    assertThat(after.value("rolemesh_agent_server_restarts_total", "gpu", "1")).isZero();
    assertThat(after.value("rolemesh_agent_requests_waiting")).isZero();
    assertThat(after.value("rolemesh_agent_switch_wait_seconds_count", "model", "alpha", "outcome", "admitted"))
        .isEqualTo(2);
    assertThat(after.value("rolemesh_agent_switch_wait_seconds_count", "model", "beta", "outcome", "admitted"))
        .isEqualTo(1);
    // The simulator counts every generated token like llama-server: alpha served three requests, beta one.
    assertThat(after.has("llamacpp:tokens_predicted_total", "model", "alpha", "gpu", "0")).isTrue();
    assertThat(after.has("llamacpp:tokens_predicted_total", "model", "beta", "gpu", "1")).isTrue();
    assertThat(after.value("llamacpp:tokens_predicted_total", "model", "alpha", "gpu", "0"))
        .isGreaterThan(after.value("llamacpp:tokens_predicted_total", "model", "beta", "gpu", "1"));
    assertThat(after.value("llamacpp:requests_processing", "model", "beta", "gpu", "1")).isZero();
  }

  private ScrapedMetrics scrape() {
    JsonResponse response = harness.get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    return ScrapedMetrics.parse(response.body());
  }
}
