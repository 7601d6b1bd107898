package dev.rolemesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.SimStats;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.sim.TokenSource;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.Multipart;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.TestGateway;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The llama-server APIs beyond chat, routed by role over real sockets: rerank, a multipart transcription upload, the
 * Anthropic and Responses streams passed through unchanged, and the gateway's own errors in Anthropic's shape on the
 * Anthropic path.
 */
class LlamaApisRoutingTest {

  private static final String KEY = "client-key";
  private static final long MAX_BODY = 1024 * 1024;

  private static TestGateway gateway;
  private static Simulator ranker;
  private static Simulator ears;
  private static Simulator writer;

  @BeforeAll
  static void start() {
    gateway = new TestGateway().auth(new AuthConfig(List.of(KEY), List.of())).maxBodyBytes(MAX_BODY);
    ranker = gateway.simulator(SimOptions.defaults().withAlias("bge-reranker").withReranking(true));
    ears = gateway.simulator(SimOptions.defaults().withAlias("whisper"));
    writer = gateway.simulator(SimOptions.defaults().withAlias("writer-gguf"));
    gateway.proxy("ranker", ranker.baseUrl(), Map.of("model", "bge-reranker-gguf"), TestGateway.FAST)
        .proxy("ears", ears.baseUrl(), Map.of("model", "whisper-large-v3"), TestGateway.FAST)
        .proxy("writer", writer)
        .proxy("plain", gateway.simulator(SimOptions.defaults()))
        .start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static SimStats.RecordedRequest lastRequest(Simulator sim) {
    return sim.stats().lastRequest();
  }

  @Test
  void rerankIsRoutedByRoleUnderBothPaths() {
    String body = "{\"model\":\"ranker\",\"query\":\"red fox\",\"documents\":[\"a blue bird\",\"the red fox\"]}";
    for (String path : List.of("/v1/rerank", "/v1/reranking")) {
      JsonResponse response = gateway.post(path, body, "Authorization", "Bearer " + KEY);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.json().at("/results/0/index").asInt()).isEqualTo(1);
      assertThat(lastRequest(ranker).path()).isEqualTo(path);
      assertThat(lastRequest(ranker).body().get("model").asText()).isEqualTo("bge-reranker-gguf");
    }
  }

  @Test
  void rerankWithoutAQueryIsRefusedNamingIt() {
    JsonResponse response = gateway.post("/v1/rerank", "{\"model\":\"ranker\",\"documents\":[\"d\"]}",
        "Authorization", "Bearer " + KEY);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.json().at("/error/param").asText()).isEqualTo("query");
  }

  @Test
  void aBackendsOwnErrorPassesThroughUnchanged() {
    JsonResponse response = gateway.post("/v1/rerank", "{\"model\":\"plain\",\"query\":\"q\",\"documents\":[\"d\"]}",
        "Authorization", "Bearer " + KEY);

    assertThat(response.statusCode()).isEqualTo(501);
    assertThat(response.json().at("/error/type").asText()).isEqualTo("not_supported_error");
  }

  @Test
  void aTranscriptionUploadIsRoutedByRoleWithOnlyTheModelFieldRewritten() {
    byte[] audio = new byte[200_000];
    for (int i = 0; i < audio.length; i++) {
      audio[i] = (byte) (i * 31);
    }
    JsonResponse response = new Multipart().field("model", "ears").field("language", "en")
        .file("hello.wav", audio).post(gateway.baseUrl() + "/v1/audio/transcriptions", "X-Api-Key", KEY);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.json().get("text").asText()).isEqualTo(TokenSource.text(16));
    JsonNode form = lastRequest(ears).body();
    assertThat(form.get("model").asText()).isEqualTo("whisper-large-v3");
    assertThat(form.get("language").asText()).isEqualTo("en");
    assertThat(form.at("/file/filename").asText()).isEqualTo("hello.wav");
    assertThat(form.at("/file/bytes").asLong()).isEqualTo(audio.length);
  }

  @Test
  void aTranscriptionThatIsNotAFormIsRefused() {
    JsonResponse response = gateway.post("/v1/audio/transcriptions", "{\"model\":\"ears\"}", "X-Api-Key", KEY);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.json().at("/error/message").asText()).contains("multipart/form-data");
  }

  @Test
  void anUploadOverTheBodyLimitIsRefusedWith413() {
    JsonResponse response = new Multipart().field("model", "ears").file("long.wav", new byte[(int) MAX_BODY + 1])
        .post(gateway.baseUrl() + "/v1/audio/transcriptions", "X-Api-Key", KEY);

    assertThat(response.statusCode()).isEqualTo(413);
  }

  @Test
  void anthropicAndResponsesStreamsPassThroughWithTheirNamedEvents() {
    String messages = "{\"model\":\"writer\",\"max_tokens\":3,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    JsonResponse anthropic = gateway.post("/v1/messages", messages, "X-Api-Key", KEY);
    JsonResponse responses = gateway.post("/v1/responses",
        "{\"model\":\"writer\",\"input\":\"hi\",\"max_output_tokens\":3,\"stream\":true}", "X-Api-Key", KEY);

    assertThat(anthropic.headers().firstValue("Content-Type")).contains("text/event-stream");
    assertThat(anthropic.body()).startsWith("event: message_start\ndata: {\"type\":\"message_start\"")
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    assertThat(responses.body()).startsWith("event: response.created\n")
        .contains("\nevent: response.completed\n").doesNotContain("[DONE]");
  }

  @Test
  void aClientLeavingAnAnthropicStreamCancelsTheBackendRequest() throws IOException {
    long cancelledBefore = writer.stats().cancelledTotal();
    String messages = "{\"model\":\"writer\",\"max_tokens\":200,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    try (RawHttp client = RawHttp.post(gateway.port(), "/v1/messages", messages, "x-api-key", KEY,
        "X-Sim-Token-Delay-Ms", "200")) {
      assertThat(client.readUntil("event: content_block_delta")).isNotNull();
    }

    Await.until("backend saw the cancel", () -> writer.stats().cancelledTotal() == cancelledBefore + 1);
    Await.until("slot freed", () -> writer.stats().active() == 0);
  }

  @Test
  void aResponsesRequestGoesUpstreamUnderTheRolesModelName() {
    JsonResponse response = gateway.post("/v1/responses", "{\"model\":\"ranker\",\"input\":\"hi\"}",
        "X-Api-Key", KEY);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(lastRequest(ranker).path()).isEqualTo("/v1/responses");
    assertThat(lastRequest(ranker).body().get("model").asText()).isEqualTo("bge-reranker-gguf");
  }

  @Test
  void theGatewaysOwnErrorsAreAnthropicShapedOnTheAnthropicPath() {
    String body = "{\"model\":\"writer\",\"max_tokens\":3,\"messages\":[]}";
    assertAnthropicError(gateway.post("/v1/messages", body, "x-api-key", "wrong"), 401, "authentication_error");
    // Claude Code adds ?beta=true
    assertAnthropicError(gateway.post("/v1/messages?beta=true", body.replace("writer", "nobody"), "x-api-key", KEY),
        404, "not_found_error");
    assertAnthropicError(gateway.post("/v1/messages", "{\"model\":\"writer\"}", "x-api-key", KEY),
        400, "invalid_request_error");
    assertAnthropicError(gateway.post("/v1/messages/batches", body, "x-api-key", KEY), 404, "not_found_error");
    assertAnthropicError(gateway.get("/v1/models", "anthropic-version", "2023-06-01", "x-api-key", "wrong"),
        401, "authentication_error");
  }

  @Test
  void openAiClientsKeepTheOpenAiShape() {
    JsonResponse response = gateway.post("/v1/responses", "{\"model\":\"nobody\",\"input\":\"hi\"}", "X-Api-Key", KEY);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.json().at("/error/code").asText()).isEqualTo("model_not_found");
  }

  @Test
  void modelsAreListedInTheAnthropicShapeWhenAskedWithAnthropicVersion() {
    JsonNode list = gateway.get("/v1/models", "anthropic-version", "2023-06-01", "x-api-key", KEY).json();

    assertThat(list.get("has_more").asBoolean()).isFalse();
    assertThat(list.get("first_id").asText()).isEqualTo(list.at("/data/0/id").asText());
    JsonNode model = list.get("data").get(0);
    assertThat(model.get("type").asText()).isEqualTo("model");
    assertThat(model.has("display_name")).isTrue();
    assertThat(model.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(gateway.get("/v1/models", "x-api-key", KEY).json().get("object").asText()).isEqualTo("list");
  }

  private static void assertAnthropicError(JsonResponse response, int status, String type) {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode body = response.json();
    assertThat(body.get("type").asText()).isEqualTo("error");
    assertThat(body.at("/error/type").asText()).isEqualTo(type);
    assertThat(body.at("/error/message").asText()).isNotBlank();
  }
}
