package dev.rolemesh.api;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.FreePorts;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.NodeRegistrations;
import dev.rolemesh.testing.RawUpstream;
import dev.rolemesh.testing.ScrapedMetrics;
import dev.rolemesh.testing.TestGateway;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Role fallbacks end to end, on real sockets: a role that cannot take a request hands it to its fallbacks in order,
 * the backend sees the model the fallback would send, and every response says who served it.
 */
class FallbackRoutingTest {

  private static final String SERVED_BY = "x-rolemesh-served-by";
  private static final String CHAT = "/v1/chat/completions";

  private final TestGateway gateway = new TestGateway();
  /** Nobody listens here: a fixed upstream that is down. */
  private final String deadUrl = "http://127.0.0.1:" + FreePorts.loopback();

  @AfterEach
  void stop() {
    gateway.close();
  }

  private Simulator sim(String alias) {
    return gateway.simulator(SimOptions.defaults().withAlias(alias));
  }

  private static String servedBy(JsonResponse response) {
    return response.headers().firstValue(SERVED_BY).orElse(null);
  }

  private static String hostPort(Simulator sim) {
    return sim.baseUrl().substring("http://".length());
  }

  private JsonNode accessLine(String path) {
    return accessLine("\"path\":\"" + path + "\"", "the access line");
  }

  /** The line of this very response: the log is written off the event loop, so the latest line may be an earlier one. */
  private JsonNode accessLine(JsonResponse response) {
    String id = response.headers().firstValue("X-Request-Id").orElseThrow();
    return accessLine("\"request_id\":\"" + id + "\"", "the access line of request " + id);
  }

  private JsonNode accessLine(String marker, String what) {
    String[] line = new String[1];
    Await.until(what, () -> {
      line[0] = gateway.log().lines().filter(each -> each.contains("\"event\":\"request\""))
          .filter(each -> each.contains(marker)).reduce((a, b) -> b).orElse(null);
      return line[0] != null;
    });
    return Json.parse(line[0]);
  }

  @Test
  void aRoleThatServesItselfSaysSo() {
    Simulator writer = sim("writer-gguf");
    gateway.proxy("writer", writer).start();

    JsonResponse response = gateway.postChat("writer");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(servedBy(response)).isEqualTo("writer@" + hostPort(writer));
    assertThat(accessLine(CHAT).has("served_by")).isFalse();
  }

  @Test
  void aDownPrimaryHandsTheRequestToItsFallbackWhichGetsItsOwnModelAndDefaults() {
    Simulator writer = sim("writer-gguf");
    gateway.proxy("coder", deadUrl, Map.of("temperature", 0.1, "model", "coder-gguf"), TestGateway.FAST)
        .proxy("writer", writer.baseUrl(), Map.of("model", "writer-gguf", "max_tokens", 7), TestGateway.FAST)
        .fallbacks("coder", "writer").start();

    JsonResponse response = gateway.postChat("coder");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(servedBy(response)).isEqualTo("writer@" + hostPort(writer));
    JsonNode sent = writer.stats().lastRequest().body();
    assertThat(sent.path("model").asText()).isEqualTo("writer-gguf");
    assertThat(sent.path("max_tokens").asInt()).isEqualTo(7);
    assertThat(sent.has("temperature")).isFalse();
    JsonNode line = accessLine(CHAT);
    assertThat(line.path("alias").asText()).isEqualTo("coder");
    assertThat(line.path("served_by").asText()).isEqualTo("writer");
    assertThat(line.path("upstream").asText()).isEqualTo(writer.baseUrl());
    assertThat(line.path("status").asInt()).isEqualTo(200);
  }

  @Test
  void aChainOfTwoEndsAtTheFirstRoleThatCanServeAndIsCounted() {
    Simulator planner = sim("planner-gguf");
    gateway.discovered("coder", "coder", ROUND_ROBIN)
        .proxy("writer", deadUrl, Map.of(), TestGateway.FAST)
        .proxy("planner", planner)
        .fallbacks("coder", "writer")
        .fallbacks("writer", "planner").start();

    JsonResponse response = gateway.postChat("coder");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(servedBy(response)).isEqualTo("planner@" + hostPort(planner));
    assertThat(planner.stats().lastRequest().body().path("model").asText()).isEqualTo("planner");
    assertThat(accessLine(CHAT).path("served_by").asText()).isEqualTo("planner");
    ScrapedMetrics metrics = ScrapedMetrics.parse(gateway.get("/metrics").body());
    assertThat(metrics.value("rolemesh_fallbacks_total", "role", "coder", "fallback", "planner")).isEqualTo(1.0);
    assertThat(metrics.value("rolemesh_requests_total", "role", "coder", "node", planner.baseUrl(), "status", "200"))
        .isEqualTo(1.0);
  }

  @Test
  void aFallbackServedByANodeNamesTheNodeAndSendsItsModelId() {
    Simulator node = sim("qwen-7b");
    gateway.proxy("coder", deadUrl, Map.of(), TestGateway.FAST)
        .discovered("reviewer", "reviewer", ROUND_ROBIN)
        .fallbacks("coder", "reviewer").start();
    gateway.register(NodeRegistrations.serving("gpu-1", node.baseUrl(), "qwen-7b", "reviewer"));

    JsonResponse response = gateway.postChat("coder");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(servedBy(response)).isEqualTo("reviewer@gpu-1");
    assertThat(node.stats().lastRequest().body().path("model").asText()).isEqualTo("qwen-7b");
  }

  @Test
  void whenNothingCanServeTheClientGetsTodaysErrorWithNothingNamedAsServing() {
    gateway.proxy("lonely", deadUrl, Map.of(), TestGateway.FAST)
        .discovered("coder", "coder", ROUND_ROBIN)
        .proxy("writer", deadUrl, Map.of(), TestGateway.FAST)
        .fallbacks("coder", "writer").start();

    JsonResponse alone = gateway.postChat("lonely");
    JsonResponse chain = gateway.postChat("coder");

    assertThat(alone.statusCode()).isEqualTo(502);
    assertThat(servedBy(alone)).isEqualTo("none");
    assertThat(alone.json().path("error").path("message").asText())
        .isEqualTo("Backend for model 'lonely' at " + deadUrl + " failed: connection refused");
    assertThat(chain.statusCode()).isEqualTo(503);
    assertThat(servedBy(chain)).isEqualTo("none");
    JsonNode error = chain.json().path("error");
    assertThat(error.path("code").asText()).isEqualTo("model_unavailable");
    assertThat(error.path("message").asText()).startsWith("Model 'coder' cannot serve now: ")
        .endsWith("; fallbacks could not serve either: Backend for model 'writer' at " + deadUrl
            + " failed: connection refused");
    JsonNode line = accessLine(chain);
    assertThat(line.path("status").asInt()).isEqualTo(503);
    assertThat(line.path("served_by").asText()).isEqualTo("writer");
  }

  @Test
  void aBackendThatTookTheRequestAndFailedAnswersForItWithoutFallingBack() throws Exception {
    Simulator writer = sim("writer-gguf");
    try (RawUpstream crash = RawUpstream.start(exchange -> exchange.readBody())) {
      gateway.proxy("coder", crash.url(), Map.of(), TestGateway.FAST)
          .proxy("writer", writer)
          .fallbacks("coder", "writer").start();

      JsonResponse response = gateway.postChat("coder");

      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(servedBy(response)).isEqualTo("coder@" + crash.url().substring("http://".length()));
      assertThat(writer.stats().requestsByPath()).doesNotContainKey(CHAT);
    }
  }

  @Test
  void aStreamFromAFallbackCarriesTheHeaderAndEndsWhole() {
    Simulator writer = sim("writer-gguf");
    gateway.proxy("coder", deadUrl, Map.of(), TestGateway.FAST)
        .proxy("writer", writer)
        .fallbacks("coder", "writer").start();

    JsonResponse response = gateway.post(CHAT, TestGateway.chat("coder", "\"stream\":true,\"max_tokens\":8"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(servedBy(response)).isEqualTo("writer@" + hostPort(writer));
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/event-stream"));
    assertThat(response.body().strip()).endsWith("data: [DONE]");
    JsonNode line = accessLine(CHAT);
    assertThat(line.path("stream").asBoolean()).isTrue();
    assertThat(line.path("served_by").asText()).isEqualTo("writer");
  }

  @Test
  void theAnthropicMessagesApiFallsBackTheSameWay() {
    Simulator writer = sim("writer-gguf");
    gateway.discovered("coder", "coder", ROUND_ROBIN)
        .proxy("writer", writer)
        .discovered("ghost", "ghost", ROUND_ROBIN)
        .fallbacks("coder", "writer").start();
    String body = "{\"model\":\"%s\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    JsonResponse response = gateway.post("/v1/messages", body.formatted("coder"), "anthropic-version", "2023-06-01");
    JsonResponse down = gateway.post("/v1/messages", body.formatted("ghost"), "anthropic-version", "2023-06-01");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.json().path("type").asText()).isEqualTo("message");
    assertThat(servedBy(response)).isEqualTo("writer@" + hostPort(writer));
    assertThat(writer.stats().lastRequest().path()).isEqualTo("/v1/messages");
    assertThat(writer.stats().lastRequest().body().path("model").asText()).isEqualTo("writer");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.json().path("error").path("type").asText()).isEqualTo("overloaded_error");
    assertThat(servedBy(down)).isEqualTo("none");
  }
}
