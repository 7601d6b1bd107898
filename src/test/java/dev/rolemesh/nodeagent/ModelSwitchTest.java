package dev.rolemesh.nodeagent;

import static dev.rolemesh.nodeagent.AgentHarness.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.JsonResponse;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Models share GPUs: switching on demand, once per burst, and choosing which GPU gives way. */
class ModelSwitchTest {

  @RegisterExtension final AgentHarness harness = new AgentHarness();
  private String models;

  @BeforeEach
  void models() {
    StringBuilder yaml = new StringBuilder("models:\n");
    for (String id : List.of("alpha", "beta", "gamma")) {
      // Tokens take a little while, so requests on one server overlap and a switch has requests to drain.
      yaml.append("  - {model_id: ").append(id).append(", path: ").append(harness.weights(id + ".gguf"))
          .append(", roles: [").append(id).append("-role], args: [--token-delay-ms, '5']}\n");
    }
    models = yaml.toString();
  }

  @Test
  void aBurstForTwoModelsOnOneGpuSwitchesOncePerModel() throws Exception {
    harness.start("gpus: [0]\n" + models);
    // Hold the first launch until every request of the burst has reached the agent.
    Files.createFile(harness.hold());
    List<CompletableFuture<JsonResponse>> responses = new ArrayList<>();
    List<String> asked = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      for (String model : List.of("alpha", "beta")) {
        asked.add(model);
        responses.add(harness.chatAsync(model, i % 2 == 0));
      }
    }
    Await.until("all 12 requests to wait in the agent", () -> harness.inventory().get("waiting").asInt() == 12);

    Files.delete(harness.hold());

    for (int i = 0; i < responses.size(); i++) {
      HttpResponse<String> response = responses.get(i).get();
      assertThat(response.statusCode()).as("request %d for %s", i, asked.get(i)).isEqualTo(200);
      assertThat(response.body()).contains("\"model\":\"" + asked.get(i) + "\"");
    }
    assertThat(harness.launches()).hasSize(2);
    JsonNode server = harness.server(0);
    assertThat(server.get("loads").asInt()).isEqualTo(2);
    assertThat(server.get("restarts").asInt()).isZero();
    assertThat(server.get("in_flight").asInt()).isZero();
  }

  @Test
  void aVacantGpuIsTakenFirstThenTheLeastRecentlyUsed() throws Exception {
    harness.start("gpus: [0, 1]\n" + models);

    assertThat(harness.chat("alpha").statusCode()).isEqualTo(200);
    assertThat(harness.chat("beta").statusCode()).isEqualTo(200);
    assertThat(modelOn(0)).isEqualTo("alpha");
    assertThat(modelOn(1)).isEqualTo("beta");

    assertThat(harness.chat("alpha").statusCode()).isEqualTo(200);
    assertThat(harness.chat("gamma").statusCode()).isEqualTo(200);

    assertThat(modelOn(0)).isEqualTo("alpha");
    assertThat(modelOn(1)).isEqualTo("gamma");
    assertThat(harness.launches()).hasSize(3);
    List<Long> pids = harness.launches();
    Await.until("beta's server to be gone", () -> !AgentHarness.alive(pids.get(1)));
  }

  @Test
  void aModelPinnedToAGpuLoadsOnlyThere() throws Exception {
    String pinned = models.replace("model_id: beta,", "model_id: beta, gpu: 1,");
    harness.start("gpus: [0, 1]\n" + pinned);

    assertThat(harness.chat("alpha").statusCode()).isEqualTo(200);
    assertThat(harness.chat("gamma").statusCode()).isEqualTo(200);
    assertThat(harness.chat("beta").statusCode()).isEqualTo(200);

    assertThat(modelOn(1)).isEqualTo("beta");
  }

  @Test
  void aRequestWaitsBoundedThenGets503WithRetryAfter() throws Exception {
    harness.start("switch_wait_s: 0.5", models);
    Files.createFile(harness.hold());

    HttpResponse<String> response = harness.chat("alpha");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("retry-after")).hasValue("5");
    assertThat(JSON.readTree(response.body()).at("/error/message").asText())
        .isEqualTo("Model 'alpha' is still loading after 0.5s (llama_server.switch_wait_s); try again shortly");

    // The load went on without the request that started it.
    Files.delete(harness.hold());
    Await.until("alpha to be ready", () -> harness.server(null).get("state").asText().equals("ready"));
    assertThat(harness.chat("alpha").statusCode()).isEqualTo(200);
    assertThat(harness.launches()).hasSize(1);
  }

  @Test
  void anIdleServerIsUnloadedAfterTheTtlAndLoadedAgainOnDemand() throws Exception {
    harness.start("idle_unload_s: 0.3", models);
    assertThat(harness.chat("alpha").statusCode()).isEqualTo(200);
    long pid = harness.launches().getFirst();

    Await.until("the idle server to be unloaded", () -> harness.server(null).get("state").asText().equals("empty"));
    assertThat(AgentHarness.alive(pid)).isFalse();

    assertThat(harness.chat("alpha").statusCode()).isEqualTo(200);
    assertThat(harness.launches()).hasSize(2);
  }

  private String modelOn(int gpu) throws Exception {
    JsonNode server = harness.server(gpu);
    assertThat(server.get("state").asText()).isEqualTo("ready");
    return server.get("model").asText();
  }
}
