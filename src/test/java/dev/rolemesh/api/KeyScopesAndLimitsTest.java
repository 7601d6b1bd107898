package dev.rolemesh.api;

import static dev.rolemesh.testing.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.ClientKey;
import dev.rolemesh.json.Json;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-key scopes and limits through a running gateway. The limits' clock stands still unless a test moves it, so
 * counts are exact however slowly the machine runs.
 */
class KeyScopesAndLimitsTest {

  private static final long SECOND = 1_000_000_000L;
  private static final AtomicLong clock = new AtomicLong();
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = new TestGateway().limitsClock(clock::get).auth(new AuthConfig(List.of(
        key("k-open", "open", null, 0, 0, 0),
        key("k-planner", "planner-only", Set.of("planner"), 0, 0, 0),
        key("k-rpm", "ci", null, 3, 0, 0),
        key("k-burst", "burst", null, 4, 0, 0),
        key("k-tokens", "tokens", null, 0, 100, 0),
        key("k-stream", "stream-tokens", null, 0, 1000, 0),
        key("k-one", "one-at-a-time", null, 0, 0, 1),
        key("k-sdk", "sdk", null, 60, 0, 0),
        key("k-reload", "reloaded", null, 1, 0, 0)), List.of(), null));
    gateway.proxy("planner", gateway.simulator(SimOptions.defaults().withAlias("planner-gguf")))
        .proxy("writer", gateway.simulator(SimOptions.defaults().withAlias("writer-gguf")))
        .proxy("slow", gateway.simulator(SimOptions.defaults().withTokenDelayMs(50).withNPredict(2000)))
        .start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  /** As the config's {@code key_sha256} gives it: the gateway never sees the key itself. */
  private static ClientKey key(String key, String name, Set<String> roles, int rpm, int tpm, int maxConcurrent)
      throws Exception {
    String sha256 = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    return new ClientKey(sha256, name, roles, rpm, tpm, maxConcurrent);
  }

  private static JsonResponse chatAs(String key, String model) {
    return gateway.postChat(model, "Authorization", "Bearer " + key);
  }

  @Test
  void aKeyGivenAsItsSha256Works() {
    assertThat(chatAs("k-open", "writer").statusCode()).isEqualTo(200);
    assertThat(gateway.postChat("writer", "X-Api-Key", "k-open").statusCode()).isEqualTo(200);
    assertThat(chatAs("k-open-not", "writer").statusCode()).isEqualTo(401);
  }

  @Test
  void aRoleOutsideTheScopeIs403AndTheModelListShowsOnlyTheScope() {
    JsonResponse refused = chatAs("k-planner", "writer");

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.json().get("error").get("code").asText()).isEqualTo("model_not_allowed");
    assertThat(refused.json().get("error").get("message").asText())
        .isEqualTo("The key 'planner-only' may not use model 'writer'");
    assertThat(chatAs("k-planner", "planner").statusCode()).isEqualTo(200);
    assertThat(ids(gateway.get("/v1/models", "Authorization", "Bearer k-planner"))).containsExactly("planner");
    assertThat(ids(gateway.get("/v1/models", "Authorization", "Bearer k-open")))
        .containsExactly("planner", "writer", "slow");
    assertThat(gateway.get("/v1/models/writer", "Authorization", "Bearer k-planner").statusCode()).isEqualTo(403);
    assertThat(gateway.get("/v1/models/planner", "Authorization", "Bearer k-planner").statusCode()).isEqualTo(200);
  }

  @Test
  void atRpm3TheFourthAndFifthRequestsAre429WithRetryAfterAndOpenAisHeaders() {
    List<Integer> statuses = new ArrayList<>();
    JsonResponse first = null;
    JsonResponse last = null;
    for (int i = 0; i < 5; i++) {
      last = chatAs("k-rpm", "planner");
      first = first == null ? last : first;
      statuses.add(last.statusCode());
    }

    assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
    assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
    assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("2");
    assertThat(first.headers().firstValue("x-ratelimit-reset-requests")).hasValue("20s");
    assertThat(last.headers().firstValue("Retry-After")).hasValue("20");
    assertThat(last.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(last.headers().firstValue("x-ratelimit-reset-requests")).hasValue("1m0s");
    JsonNode error = last.json().get("error");
    assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.get("type").asText()).isEqualTo("requests");
    assertThat(error.get("message").asText()).contains("'ci'").doesNotContain("k-rpm");
  }

  @Test
  void concurrentRequestsGetExactlyTheLimitThrough() {
    List<CompletableFuture<JsonResponse>> calls = Stream.generate(() -> gateway.http().postAsync(
        "/v1/chat/completions", chat("writer", ""), "Authorization", "Bearer k-burst")).limit(10).toList();

    List<Integer> statuses = calls.stream().map(call -> call.join().statusCode()).toList();
    assertThat(statuses).filteredOn(status -> status == 200).hasSize(4);
    assertThat(statuses).filteredOn(status -> status == 429).hasSize(6);
  }

  @Test
  void aConfigReloadKeepsTheCountersOfAnUnchangedKey() {
    assertThat(chatAs("k-reload", "writer").statusCode()).isEqualTo(200);

    gateway.server().reload(gateway.server().state().config());

    assertThat(chatAs("k-reload", "writer").statusCode()).isEqualTo(429);
  }

  @Test
  void tokensAreCountedFromUsageAndAKeyOverItsTpmWaits() {
    JsonResponse first = chatAs("k-tokens", "planner");
    long used = first.json().get("usage").get("total_tokens").asLong();
    assertThat(first.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("100");

    JsonResponse second = chatAs("k-tokens", "planner");
    assertThat(second.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue(String.valueOf(100 - used));

    JsonResponse response = second;
    for (int i = 0; i < 100 && response.statusCode() == 200; i++) {
      response = chatAs("k-tokens", "planner");
    }
    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.json().get("error").get("type").asText()).isEqualTo("tokens");
    assertThat(response.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("100");
    assertThat(response.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("0");
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void aStreamIsCountedFromItsLastChunkAsItPasses() {
    JsonResponse streamed = gateway.post("/v1/chat/completions", chat("writer", "\"stream\":true"),
        "Authorization", "Bearer k-stream");
    assertThat(streamed.statusCode()).isEqualTo(200);
    // Without stream_options.include_usage, llama-server's last chunk carries only its timings.
    JsonNode timings = streamed.body().lines().filter(line -> line.contains("\"timings\""))
        .map(line -> parse(line.substring("data: ".length())).get("timings")).findFirst().orElseThrow();
    long used = timings.get("cache_n").asLong() + timings.get("prompt_n").asLong()
        + timings.get("predicted_n").asLong();

    Await.until("the stream's tokens to be counted", () -> chatAs("k-stream", "writer").headers()
        .firstValue("x-ratelimit-remaining-tokens").orElseThrow().equals(String.valueOf(1000 - used)));
  }

  @Test
  void maxConcurrentHoldsWhileAStreamIsOpen() throws Exception {
    var open = gateway.http().post("/v1/chat/completions", chat("slow", "\"stream\":true"),
        java.net.http.HttpResponse.BodyHandlers.ofInputStream(), "Authorization", "Bearer k-one");
    try (var body = open.body()) {
      assertThat(open.statusCode()).isEqualTo(200);
      JsonResponse second = chatAs("k-one", "planner");
      assertThat(second.statusCode()).isEqualTo(429);
      assertThat(second.json().get("error").get("type").asText()).isEqualTo("concurrent_requests");
      assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
    }
    Await.until("the stream's slot to be given back", () -> chatAs("k-one", "planner").statusCode() == 200);
  }

  @Test
  void theKeysNameNeverTheKeyIsInTheAccessLog() {
    chatAs("k-planner", "planner");

    Await.until("the access line", () -> gateway.log().contains("\"key\":\"planner-only\""));
    assertThat(gateway.log()).doesNotContain("k-planner");
  }

  @Test
  void theOpenAiSdkWaitsTheRetryAfterAndThenSucceeds() {
    for (int i = 0; i < 60; i++) {
      assertThat(chatAs("k-sdk", "writer").statusCode()).isEqualTo(200);
    }
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey("k-sdk")
        .maxRetries(4).build();
    try {
      long started = System.nanoTime();
      CompletableFuture<ChatCompletion> call = CompletableFuture.supplyAsync(() -> client.chat().completions()
          .create(ChatCompletionCreateParams.builder().model("writer").addUserMessage("hi").build()));
      Await.until("the SDK's first attempt to be refused", () -> sdkStatuses().contains(429));
      // One request's interval at 60 rpm: what Retry-After: 1 promised.
      clock.addAndGet(SECOND);

      assertThat(call.join().model()).isEqualTo("writer-gguf");
      // The SDK's own first backoff is at most 0.5 s: a wait of a second or more is the Retry-After.
      assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(SECOND);
      Await.until("the retry's access line", () -> sdkStatuses().getLast() == 200);
      // Refused until the clock moved (once, unless the machine was slow to notice), then served.
      List<Integer> afterTheBurst = sdkStatuses().subList(60, sdkStatuses().size());
      assertThat(afterTheBurst.subList(0, afterTheBurst.size() - 1)).isNotEmpty().containsOnly(429);
    } finally {
      client.close();
    }
  }

  private static List<Integer> sdkStatuses() {
    return gateway.log().lines().map(KeyScopesAndLimitsTest::parse)
        .filter(line -> "sdk".equals(line.path("key").asText(null)))
        .map(line -> line.get("status").asInt()).toList();
  }

  private static JsonNode parse(String line) {
    try {
      return Json.MAPPER.readTree(line);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> ids(JsonResponse models) {
    List<String> ids = new ArrayList<>();
    models.json().get("data").forEach(model -> ids.add(model.get("id").asText()));
    return ids;
  }
}
