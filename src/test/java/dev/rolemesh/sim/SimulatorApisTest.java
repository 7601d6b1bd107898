package dev.rolemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.Multipart;
import dev.rolemesh.testing.RawHttp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The endpoints beyond chat (Anthropic Messages, Responses, rerank, transcriptions) against the llama-server
 * captures: status, header names in order, JSON shape, and for streams the sequence of named SSE events.
 */
class SimulatorApisTest extends SimulatorTestBase {

  private static final String MESSAGES = "{\"model\":\"any\",\"max_tokens\":16,\"system\":\"Be brief.\","
      + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}]}";
  private static final String RESPONSES = "{\"model\":\"any\",\"input\":\"Tell me a story.\",\"max_output_tokens\":8}";

  private Simulator sim;

  @BeforeEach
  void startSimulator() throws Exception {
    sim = start(SimOptions.defaults().withAlias("stories").withReranking(true));
  }

  @Test
  void anthropicMessageIsLikeTheCapture() {
    RawHttp.Response expected = Fixtures.response("anthropic-messages-nonstream.txt");
    RawHttp.Response actual = post(sim, "/v1/messages", MESSAGES, "x-api-key", "k", "anthropic-version", "2023-06-01");

    assertThat(actual.status()).isEqualTo(200);
    assertThat(actual.headerNames()).isEqualTo(expected.headerNames());
    JsonShape.assertSameShape(expected.json(), actual.json());
    assertThat(actual.json().at("/content/0/text").asText()).isEqualTo(TokenSource.text(16));
    assertThat(actual.json().get("stop_reason").asText()).isEqualTo("max_tokens");
    assertThat(actual.json().at("/usage/output_tokens").asInt()).isEqualTo(16);
    assertThat(actual.json().get("model").asText()).isEqualTo("stories");
  }

  @Test
  void anthropicStreamHasTheCapturedNamedEvents() {
    RawHttp.Response expected = Fixtures.response("anthropic-messages-stream-raw.txt");
    RawHttp.Response actual = post(sim, "/v1/messages", MESSAGES.replace("16", "8").replace("}]}", "}],\"stream\":true}"));

    assertThat(actual.headerNames()).isEqualTo(expected.headerNames());
    assertThat(actual.header("Content-Type")).isEqualTo("text/event-stream");
    assertSameNamedEvents(expected.body(), actual.body());
    assertThat(actual.body()).doesNotContain("[DONE]").endsWith("data: {\"type\":\"message_stop\"}\n\n");
    List<NamedEvent> events = namedEvents(actual.body());
    assertThat(events.get(events.size() - 2).data().at("/usage/output_tokens").asInt()).isEqualTo(8);
  }

  @Test
  void countTokensIsLikeTheCaptureAndAgreesWithTheMessage() {
    RawHttp.Response expected = Fixtures.response("anthropic-count-tokens.txt");
    RawHttp.Response actual = post(sim, "/v1/messages/count_tokens", MESSAGES);

    assertThat(actual.headerNames()).isEqualTo(expected.headerNames());
    JsonShape.assertSameShape(expected.json(), actual.json());
    int inputTokens = post(sim, "/v1/messages", MESSAGES).json().at("/usage/input_tokens").asInt();
    assertThat(actual.json().get("input_tokens").asInt()).isEqualTo(inputTokens);
  }

  @Test
  void malformedJsonOnMessagesIsOpenAiShapedLikeTheCapture() throws IOException {
    RawHttp.Response expected = Fixtures.response("anthropic-messages-bad-json.txt");
    try (RawHttp http = RawHttp.post(sim.port(), "/v1/messages", "{\"model\":\"x\",\"messages\":")) {
      RawHttp.Response actual = http.readResponse();

      assertThat(actual.status()).isEqualTo(500);
      assertThat(actual.headerNames()).isEqualTo(expected.headerNames());
      JsonShape.assertSameShape(expected.json(), actual.json());
    }
  }

  @Test
  void responseIsLikeTheCapture() {
    RawHttp.Response expected = Fixtures.response("responses-nonstream.txt");
    RawHttp.Response actual = post(sim, "/v1/responses", RESPONSES);

    assertThat(actual.status()).isEqualTo(200);
    assertThat(actual.headerNames()).isEqualTo(expected.headerNames());
    JsonShape.assertSameShape(expected.json(), actual.json());
    assertThat(actual.json().at("/output/0/content/0/text").asText()).isEqualTo(TokenSource.text(8));
    assertThat(actual.json().get("id").asText()).startsWith("resp_");
  }

  @Test
  void responsesStreamHasTheCapturedNamedEvents() {
    RawHttp.Response expected = Fixtures.response("responses-stream-raw.txt");
    RawHttp.Response actual = post(sim, "/v1/responses", RESPONSES.replace("}", ",\"stream\":true}"));

    assertThat(actual.headerNames()).isEqualTo(expected.headerNames());
    assertSameNamedEvents(expected.body(), actual.body());
    List<NamedEvent> events = namedEvents(actual.body());
    assertThat(events.getLast().data().at("/response/output/0/content/0/text").asText())
        .isEqualTo(TokenSource.text(8));
  }

  @Test
  void rerankWithoutTheFlagIsLikeTheCapture() throws Exception {
    Simulator plain = start(SimOptions.defaults());
    RawHttp.Response expected = Fixtures.response("rerank-not-enabled.txt");
    RawHttp.Response actual = post(plain, "/v1/rerank", "{\"query\":\"q\",\"documents\":[\"d\"]}");

    assertThat(actual.status()).isEqualTo(501);
    assertThat(actual.headerNames()).isEqualTo(expected.headerNames());
    assertThat(actual.body()).isEqualTo(expected.body());
  }

  @Test
  void rerankOrdersDocumentsByTheQueryWordsTheyShare() {
    String body = "{\"model\":\"any\",\"query\":\"red fox\",\"top_n\":2,"
        + "\"documents\":[\"a blue bird\",\"the red fox runs\",\"a red car\"]}";
    for (String path : List.of("/v1/rerank", "/v1/reranking", "/rerank")) {
      JsonNode actual = post(sim, path, body).json();

      assertThat(actual.get("object").asText()).isEqualTo("list");
      assertThat(actual.get("model").asText()).isEqualTo("stories");
      assertThat(actual.at("/usage/prompt_tokens").asInt()).isPositive();
      assertThat(actual.get("results")).hasSize(2);
      assertThat(actual.at("/results/0/index").asInt()).isEqualTo(1);
      assertThat(actual.at("/results/0/relevance_score").asDouble()).isEqualTo(1.0);
      assertThat(actual.at("/results/1/index").asInt()).isEqualTo(2);
    }
  }

  @Test
  void rerankWithoutDocumentsIsA400() {
    RawHttp.Response actual = post(sim, "/v1/rerank", "{\"query\":\"q\"}");

    assertThat(actual.status()).isEqualTo(400);
    assertThat(actual.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void transcriptionReadsTheFormAndCountsTheAudio() {
    byte[] audio = new byte[300_000];
    JsonResponse actual = new Multipart().field("model", "whisper").field("language", "en")
        .file("hello.wav", audio).post(sim.baseUrl() + "/v1/audio/transcriptions");

    assertThat(actual.statusCode()).isEqualTo(200);
    assertThat(actual.json().get("text").asText()).isEqualTo(TokenSource.text(16));
    JsonNode recorded = stats(sim).get("last_request");
    assertThat(recorded.at("/body/model").asText()).isEqualTo("whisper");
    assertThat(recorded.at("/body/language").asText()).isEqualTo("en");
    assertThat(recorded.at("/body/file/filename").asText()).isEqualTo("hello.wav");
    assertThat(recorded.at("/body/file/bytes").asLong()).isEqualTo(audio.length);
  }

  @Test
  void transcriptionWithoutAFileIsA400() {
    JsonResponse actual = new Multipart().field("model", "whisper").post(sim.baseUrl() + "/v1/audio/transcriptions");

    assertThat(actual.statusCode()).isEqualTo(400);
    assertThat(actual.json().at("/error/message").asText()).contains("'file'");
    assertThat(post(sim, "/v1/audio/transcriptions", "{}").status()).isEqualTo(400);
  }

  record NamedEvent(String name, JsonNode data) {}

  /** The {@code event:}/{@code data:} pairs of an SSE body; every event must be named after its {@code type}. */
  static List<NamedEvent> namedEvents(String body) {
    List<NamedEvent> events = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      if (block.isBlank()) {
        continue;
      }
      String[] lines = block.strip().split("\n");
      assertThat(lines).hasSize(2);
      assertThat(lines[0]).startsWith("event: ");
      assertThat(lines[1]).startsWith("data: ");
      NamedEvent event = new NamedEvent(lines[0].substring(7), Fixtures.parse(lines[1].substring(6)));
      assertThat(event.data().get("type").asText()).isEqualTo(event.name());
      events.add(event);
    }
    return events;
  }

  /** Same event names in the same order (one delta per token), and each event's JSON of the same shape. */
  private static void assertSameNamedEvents(String expectedBody, String actualBody) {
    List<NamedEvent> expected = namedEvents(expectedBody);
    List<NamedEvent> actual = namedEvents(actualBody);
    assertThat(actual.stream().map(NamedEvent::name).toList())
        .isEqualTo(expected.stream().map(NamedEvent::name).toList());
    for (int i = 0; i < expected.size(); i++) {
      JsonShape.assertSameShape(expected.get(i).data(), actual.get(i).data());
    }
  }
}
