package dev.rolemesh.api;

import static dev.rolemesh.testing.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.SimStats;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Role routing to fixed upstreams: which backend gets the request, and exactly what it receives. */
class ProxyRoutingTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestGateway gateway;
  private static Simulator planner;
  private static Simulator writer;
  private static Simulator ollama;

  @BeforeAll
  static void start() {
    gateway = new TestGateway();
    planner = gateway.simulator(SimOptions.defaults().withAlias("planner-model"));
    writer = gateway.simulator(SimOptions.defaults().withAlias("writer-model").withEmbeddings(true));
    ollama = gateway.simulator(SimOptions.defaults().withAlias("dolphin3:latest"));
    Map<String, Object> plannerDefaults = new LinkedHashMap<>();
    plannerDefaults.put("temperature", 0);
    plannerDefaults.put("max_tokens", 128);
    gateway.proxy("planner", planner.baseUrl(), plannerDefaults, TestGateway.FAST)
        .proxy("writer", writer)
        .proxy("local-ollama", ollama.baseUrl() + "/v1/", Map.of("model", "dolphin3:latest"), TestGateway.FAST)
        .model(new ModelConfig("keyed", "keyed-model", Map.of(), TestGateway.FAST,
            new ModelTarget.Proxy(URI.create(writer.baseUrl()), "upstream-secret")))
        .start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static JsonNode lastBody(Simulator simulator) {
    return simulator.stats().lastRequest().body();
  }

  @Test
  void eachAliasReachesItsOwnBackendAndTheAnswerPassesThrough() throws Exception {
    HttpResponse<String> toPlanner = gateway.post("/v1/chat/completions", chat("planner", ""));
    HttpResponse<String> toWriter = gateway.post("/v1/chat/completions", chat("writer", ""));

    assertThat(toPlanner.statusCode()).isEqualTo(200);
    assertThat(toPlanner.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
    assertThat(JSON.readTree(toPlanner.body()).path("model").asText()).isEqualTo("planner-model");
    assertThat(JSON.readTree(toPlanner.body()).path("object").asText()).isEqualTo("chat.completion");
    assertThat(JSON.readTree(toWriter.body()).path("model").asText()).isEqualTo("writer-model");
  }

  @Test
  void defaultsFillOnlyWhatTheRequestLacksAndTheAliasIsSentAsIs() {
    gateway.post("/v1/chat/completions", chat("planner", "\"temperature\":0.7"));

    JsonNode received = lastBody(planner);
    assertThat(received.path("model").asText()).isEqualTo("planner");
    assertThat(received.path("temperature").asDouble()).isEqualTo(0.7);
    assertThat(received.path("max_tokens").asInt()).isEqualTo(128);
  }

  @Test
  void defaultsModelReplacesTheAliasUpstreamAndAProxyUrlEndingInV1Works() {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", chat("local-ollama", ""));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(lastBody(ollama).path("model").asText()).isEqualTo("dolphin3:latest");
    assertThat(ollama.stats().lastRequest().path()).isEqualTo("/v1/chat/completions");
  }

  @Test
  void aRequestWithoutModelGoesToTheDefaultModel() {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", chat(null, ""));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(lastBody(planner).path("model").asText()).isEqualTo("planner");
  }

  @Test
  void theAdvertisedModelNameRoutesLikeTheAlias() {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", chat("keyed-model", ""));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(lastBody(writer).path("model").asText()).isEqualTo("keyed");
  }

  @Test
  void completionsAndEmbeddingsAreRoutedToo() {
    assertThat(gateway.post("/v1/completions", "{\"model\":\"writer\",\"prompt\":\"Once upon a time\"}")
        .statusCode()).isEqualTo(200);
    assertThat(writer.stats().lastRequest().path()).isEqualTo("/v1/completions");

    assertThat(gateway.post("/v1/embeddings", "{\"model\":\"writer\",\"input\":\"hello\"}").statusCode())
        .isEqualTo(200);
    assertThat(writer.stats().lastRequest().path()).isEqualTo("/v1/embeddings");
  }

  @Test
  void requestIdIsHonouredEchoedAndSentUpstream() {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", chat("writer", ""),
        "X-Request-Id", "trace-123");

    assertThat(response.headers().firstValue("X-Request-Id")).contains("trace-123");
    assertThat(writer.stats().lastRequest().headers()).containsEntry("x-request-id", "trace-123");
  }

  @Test
  void aRequestIdIsGeneratedWhenAbsent() {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", chat("writer", ""));

    String id = response.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(id).matches("[0-9a-f]{32}");
    assertThat(writer.stats().lastRequest().headers()).containsEntry("x-request-id", id);
  }

  @Test
  void theUpstreamKeyIsSentAndHopByHopHeadersAreNot() {
    gateway.post("/v1/chat/completions", chat("keyed", ""), "X-Custom", "kept");

    SimStats.RecordedRequest received = writer.stats().lastRequest();
    assertThat(received.headers()).containsEntry("authorization", "Bearer upstream-secret")
        .containsEntry("x-custom", "kept");
  }

  @Test
  void everyRequestIsLoggedAsOneStructuredLine() throws Exception {
    gateway.post("/v1/chat/completions", chat("writer", ""), "X-Request-Id", "log-check-1");

    // The line is written once the exchange has reported, which may be just after the client has its answer.
    Await.until("the request's log line", () -> loggedLine("log-check-1").isPresent());
    JsonNode line = loggedLine("log-check-1").orElseThrow();
    assertThat(line.path("event").asText()).isEqualTo("request");
    assertThat(line.path("method").asText()).isEqualTo("POST");
    assertThat(line.path("path").asText()).isEqualTo("/v1/chat/completions");
    assertThat(line.path("alias").asText()).isEqualTo("writer");
    assertThat(line.path("upstream").asText()).isEqualTo(writer.baseUrl());
    assertThat(line.path("status").asInt()).isEqualTo(200);
    assertThat(line.path("bytes").asLong()).isPositive();
    assertThat(line.path("stream").asBoolean()).isFalse();
    assertThat(line.has("duration_ms")).isTrue();
    assertThat(line.has("ttfb_ms")).isTrue();
  }

  private static java.util.Optional<JsonNode> loggedLine(String requestId) {
    return gateway.log().lines()
        .map(ProxyRoutingTest::parse)
        .filter(node -> requestId.equals(node.path("request_id").asText()))
        .findFirst();
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("log line is not JSON: " + line, e);
    }
  }
}
