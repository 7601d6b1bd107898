package dev.rolemesh.nodeagent;

import static dev.rolemesh.nodeagent.AgentHarness.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.testing.Await;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One llama-server under supervision: cold start, streaming, crash and restart, a server that never gets ready. */
class SupervisionTest {

  @RegisterExtension final AgentHarness harness = new AgentHarness();

  @Test
  void coldStartWaitsForHealthBeforeTheFirstRequest() throws Exception {
    // While loading, the simulator answers every request 503 "Loading model", as llama-server does.
    harness.start("models:\n  - {model_id: slow, path: " + harness.weights("slow.Q4_K_M.gguf")
        + ", roles: [planner], ctx: 2048, args: [--load-delay-ms, '1500']}\n");
    assertThat(harness.server(null).get("state").asText()).isEqualTo("empty");

    HttpResponse<String> response = harness.chat("slow");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).at("/choices/0/message/content").asText()).isNotEmpty();
    assertThat(JSON.readTree(response.body()).get("model").asText()).isEqualTo("slow");
    JsonNode server = harness.server(null);
    assertThat(server.get("state").asText()).isEqualTo("ready");
    assertThat(server.get("model").asText()).isEqualTo("slow");
    assertThat(server.get("loads").asInt()).isEqualTo(1);
    assertThat(server.get("pid").asLong()).isEqualTo(harness.launches().getFirst());
    JsonNode model = harness.inventory().get("models").get(0);
    assertThat(model.get("loaded").asBoolean()).isTrue();
    assertThat(model.get("quant").asText()).isEqualTo("Q4_K_M");
    assertThat(model.get("ctx").asInt()).isEqualTo(2048);
  }

  @Test
  void streamsServerSentEventsThrough() throws Exception {
    harness.start("models:\n  - {model_id: m, path: " + harness.weights("m.gguf") + ", roles: [writer]}\n");

    HttpResponse<String> response = harness.chatAsync("m", true).get();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/event-stream"));
    assertThat(response.body()).contains("data: {").contains("\"chat.completion.chunk\"").contains("data: [DONE]");
  }

  @Test
  void crashedServerIsRestartedAndServesAgain() throws Exception {
    harness.start("restart_backoff_s: 0.1", "models:\n  - {model_id: m, path: " + harness.weights("m.gguf")
        + ", roles: [writer]}\n");
    assertThat(harness.chat("m").statusCode()).isEqualTo(200);
    long first = harness.server(null).get("pid").asLong();

    ProcessHandle.of(first).orElseThrow().destroyForcibly();
    Await.until("the agent to notice the crash", () -> harness.server(null).get("restarts").asInt() == 1);

    HttpResponse<String> response = harness.chat("m");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode server = harness.server(null);
    assertThat(server.get("state").asText()).isEqualTo("ready");
    assertThat(server.get("pid").asLong()).isNotEqualTo(first);
    assertThat(harness.launches()).hasSize(2);
  }

  @Test
  void serverThatNeverGetsReadyIsReportedFailedNotRetriedForever() throws Exception {
    harness.start("ready_timeout_s: 1, failed_retry_s: 3600", "models:\n  - {model_id: stuck, path: "
        + harness.weights("stuck.gguf") + ", roles: [planner], args: [--load-delay-ms, '600000']}\n");
    HttpResponse<String> response = harness.chat("stuck");

    assertThat(response.statusCode()).isEqualTo(503);
    JsonNode error = JSON.readTree(response.body()).get("error");
    assertThat(error.get("code").asText()).isEqualTo("model_unavailable");
    assertThat(error.get("message").asText())
        .startsWith("Model 'stuck' failed to start: llama-server did not report ready on /health within 1s");
    Await.until("the stuck server to be stopped",
        () -> harness.server(null).get("state").asText().equals("failed"));
    assertThat(AgentHarness.alive(harness.launches().getFirst())).isFalse();
    assertThat(harness.server(null).get("error").asText()).contains("did not report ready");

    HttpResponse<String> again = harness.chat("stuck");

    assertThat(again.statusCode()).isEqualTo(503);
    assertThat(again.headers().firstValue("retry-after")).isPresent();
    assertThat(harness.launches()).hasSize(1);
  }

  @Test
  void missingWeightFileIsAClearError() throws Exception {
    harness.start("models:\n  - {model_id: gone, path: " + harness.dir().resolve("missing.gguf")
        + ", roles: [planner]}\n");

    HttpResponse<String> response = harness.chat("gone");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(response.body()).at("/error/message").asText())
        .contains("exited with code 1")
        .contains("failed to load model");
  }

  @Test
  void unknownModelIsA404ThatListsTheKnownOnes() throws Exception {
    harness.start("models:\n  - {model_id: m, path: " + harness.weights("m.gguf") + ", roles: [writer]}\n");

    HttpResponse<String> response = harness.chat("nope");

    assertThat(response.statusCode()).isEqualTo(404);
    JsonNode error = JSON.readTree(response.body()).get("error");
    assertThat(error.get("code").asText()).isEqualTo("model_not_found");
    assertThat(error.get("message").asText()).contains("Known models: m");
    assertThat(harness.launches()).isEmpty();
  }
}
