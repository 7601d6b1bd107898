package dev.rolemesh.api;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.ClientKey;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.config.ModelConfig;
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
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Role fallbacks end to end, on real sockets: a role that cannot take a request hands it to its fallbacks in order,
 * the backend sees the model the fallback would send, and every response says who served it. Beyond one request:
 * the model list and readiness count a role whose fallback serves, a key's roles bound its fallbacks too, and a
 * reload changes the chain for the next request.
 */
class FallbackTest {

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

  /** The access line of the one chat request for {@code alias}, once it is written (just after the answer). */
  private JsonNode accessLine(String alias) {
    String[] line = new String[1];
    Await.until("the access line", () -> {
      line[0] = gateway.log().lines().filter(each -> each.contains("\"event\":\"request\""))
          .filter(each -> each.contains("\"path\":\"" + CHAT + "\""))
          .filter(each -> each.contains("\"alias\":\"" + alias + "\"")).findFirst().orElse(null);
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
    assertThat(accessLine("writer").has("served_by")).isFalse();
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
    JsonNode line = accessLine("coder");
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
    assertThat(accessLine("coder").path("served_by").asText()).isEqualTo("planner");
    // Counted on the event loop as the line goes to the log thread: wait for the count, not for the line.
    Await.until("the fallback counted", () -> ScrapedMetrics.parse(gateway.get("/metrics").body())
        .value("rolemesh_fallbacks_total", "role", "coder", "fallback", "planner") == 1.0);
    ScrapedMetrics metrics = ScrapedMetrics.parse(gateway.get("/metrics").body());
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
    JsonNode line = accessLine("coder");
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
    JsonNode line = accessLine("coder");
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

  @Test
  void aRoleWhoseFallbackServesIsListedAndReadyAndOneWhoseChainIsDownIsNot() {
    gateway.discovered("coder", "coder", ROUND_ROBIN)
        .proxy("writer", sim("writer-gguf"))
        .discovered("ghost", "ghost", ROUND_ROBIN)
        .proxy("dead", deadUrl, Map.of(), TestGateway.FAST)
        .fallbacks("coder", "writer")
        .fallbacks("ghost", "dead").start();

    JsonNode list = gateway.get("/v1/models").json();
    JsonResponse one = gateway.get("/v1/models/coder");
    JsonResponse ready = gateway.get("/ready");

    assertThat(list.path("data").findValuesAsText("id")).containsExactly("coder", "writer");
    assertThat(list.path("data").get(0).path("rolemesh").path("served_by_fallback").asText()).isEqualTo("writer");
    assertThat(list.path("data").get(1).has("rolemesh")).isFalse();
    JsonNode ghost = list.path("rolemesh").path("unavailable_models").get(0);
    assertThat(ghost.path("alias").asText()).isEqualTo("ghost");
    assertThat(ghost.path("reason").asText()).contains("; fallbacks: dead: connection refused");
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.json().path("rolemesh").path("served_by_fallback").asText()).isEqualTo("writer");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
  }

  @Test
  void aKeyNeverReachesAFallbackOutsideItsRoles() {
    Simulator writer = sim("writer-gguf");
    ClientKey coderOnly = new ClientKey(HexFormat.of().formatHex(ClientKey.sha256("k-coder")), "coder-only",
        Set.of("coder"), 0, 0, 0);
    gateway.auth(new AuthConfig(List.of(coderOnly), List.of(), null))
        .discovered("coder", "coder", ROUND_ROBIN)
        .proxy("writer", writer)
        .fallbacks("coder", "writer").start();

    JsonResponse chat = gateway.postChat("coder", "Authorization", "Bearer k-coder");
    JsonResponse forbidden = gateway.postChat("writer", "Authorization", "Bearer k-coder");
    JsonNode list = gateway.get("/v1/models", "Authorization", "Bearer k-coder").json();

    assertThat(chat.statusCode()).isEqualTo(503);
    assertThat(chat.headers().firstValue(SERVED_BY)).hasValue("none");
    assertThat(chat.json().path("error").path("message").asText()).doesNotContain("writer");
    assertThat(writer.stats().requestsByPath()).doesNotContainKey("/v1/chat/completions");
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(forbidden.headers().firstValue(SERVED_BY)).hasValue("none");
    assertThat(list.path("data")).isEmpty();
  }

  @Test
  void aReloadChangesTheChainForTheNextRequest() {
    Simulator writer = sim("writer-gguf");
    Simulator planner = sim("planner-gguf");
    gateway.proxy("coder", deadUrl, Map.of(), TestGateway.FAST)
        .proxy("writer", writer)
        .proxy("planner", planner).start();
    assertThat(gateway.postChat("coder").statusCode()).isEqualTo(502);

    reloadWithFallbacks("writer");
    JsonResponse toWriter = gateway.postChat("coder");
    reloadWithFallbacks("planner", "writer");
    JsonResponse toPlanner = gateway.postChat("coder");

    assertThat(toWriter.statusCode()).isEqualTo(200);
    assertThat(toWriter.headers().firstValue(SERVED_BY)).hasValue("writer@" + writer.baseUrl().substring(7));
    assertThat(toPlanner.statusCode()).isEqualTo(200);
    assertThat(toPlanner.headers().firstValue(SERVED_BY)).hasValue("planner@" + planner.baseUrl().substring(7));
  }

  private void reloadWithFallbacks(String... fallbacks) {
    GatewayConfig running = gateway.server().state().config();
    Map<String, ModelConfig> models = new LinkedHashMap<>(running.models());
    models.put("coder", TestGateway.withFallbacks(models.get("coder"), fallbacks));
    gateway.server().reload(new GatewayConfig(running.version(), running.defaultModel(), running.gateway(),
        running.auth(), models, running.source()));
  }
}
