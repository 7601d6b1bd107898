package dev.rolemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.testing.RawHttp;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every endpoint against the llama-server captures: status, header names in order, JSON shape. */
class SimulatorShapeTest extends SimulatorTestBase {

  private Simulator sim;

  @BeforeEach
  void startSimulator() throws Exception {
    sim = start(SimOptions.defaults().withAlias("stories260k").withMetricsEndpoint(true));
  }

  @Test
  void healthIsLikeTheCapture() {
    RawHttp.Response expected = Fixtures.response("health.txt");
    RawHttp.Response actual = get(sim, "/health");

    assertThat(actual.status()).isEqualTo(200);
    assertThat(actual.headerNames()).isEqualTo(expected.headerNames());
    assertThat(actual.header("Server")).isEqualTo("llama.cpp");
    assertThat(actual.header("Access-Control-Allow-Origin")).isEmpty();
    assertThat(actual.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    assertThat(actual.body()).isEqualTo(expected.body());
  }

  @Test
  void modelListHasBothShapesAndTheAlias() {
    for (String path : List.of("/v1/models", "/models")) {
      JsonNode models = get(sim, path).json();
      JsonShape.assertSameShape(Fixtures.json("v1-models.json"), models);
      assertThat(models.at("/data/0/id").asText()).isEqualTo("stories260k");
      assertThat(models.at("/models/0/name").asText()).isEqualTo("stories260k");
    }
  }

  @Test
  void chatCompletionIsLikeTheCapture() {
    RawHttp.Response expected = Fixtures.response("chat-nonstream.txt");
    RawHttp.Response actual = post(sim, "/v1/chat/completions", chat(24, false));

    assertThat(actual.status()).isEqualTo(200);
    assertThat(actual.headerNames())
        .isEqualTo(expected.headerNames())
        .isEqualTo(Fixtures.response("chat-headers.txt").headerNames());
    JsonShape.assertSameShape(expected.json(), actual.json());
    assertThat(actual.json().at("/choices/0/message/content").asText()).isEqualTo(TokenSource.text(24));
    assertThat(actual.json().get("model").asText()).isEqualTo("stories260k");
  }

  @Test
  void streamIsLikeTheCapture() {
    RawHttp.Response actual = post(sim, "/v1/chat/completions", chat(4, true));

    RawHttp.Response expectedHead = Fixtures.response("stream-headers.txt");
    assertThat(actual.headerNames()).isEqualTo(expectedHead.headerNames());
    assertThat(actual.header("Content-Type")).isEqualTo("text/event-stream");
    assertThat(actual.header("X-Accel-Buffering")).isEqualTo("no");
    assertSameEvents(Fixtures.events("stream-raw.txt"), Fixtures.sseEvents(actual.body()));
    assertThat(actual.body()).endsWith("data: [DONE]\n\n");
  }

  @Test
  void streamWithUsageEndsWithTheUsageChunk() {
    String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":4,\"stream\":true,"
        + "\"stream_options\":{\"include_usage\":true}}";
    List<String> actual = Fixtures.sseEvents(post(sim, "/v1/chat/completions", body).body());

    assertSameEvents(Fixtures.events("stream-usage-raw.txt"), actual);
    JsonNode usageChunk = Fixtures.parse(actual.get(actual.size() - 2));
    assertThat(usageChunk.get("choices")).isEmpty();
    assertThat(usageChunk.at("/usage/completion_tokens").asInt()).isEqualTo(4);
  }

  @Test
  void textCompletionIsLikeTheCapture() {
    for (String path : List.of("/v1/completions", "/completions")) {
      RawHttp.Response actual = post(sim, path, "{\"prompt\":\"Once upon a time\",\"max_tokens\":64}");

      assertThat(actual.status()).isEqualTo(200);
      JsonShape.assertSameShape(Fixtures.json("completions-nonstream.json"), actual.json());
      assertThat(actual.json().at("/choices/0/text").asText()).isEqualTo(TokenSource.text(64));
    }
  }

  @Test
  void slotsAreLikeTheCaptureBeforeAndAfterUse() {
    JsonNode expected = Fixtures.json("slots.json");
    JsonNode fresh = get(sim, "/slots").json();
    JsonShape.assertSameShape(expected, fresh);
    assertThat(fresh).hasSize(4);

    post(sim, "/v1/chat/completions", chat(4, true));

    JsonShape.assertSameShape(expected.get(3), slot(sim, 0));
    assertThat(slot(sim, 0).at("/next_token/0/n_decoded").asInt()).isEqualTo(4);
  }

  @Test
  void metricsHaveTheCapturedNamesOrderAndTypesAndCountTraffic() {
    post(sim, "/v1/chat/completions", chat(5, false));
    RawHttp.Response actual = get(sim, "/metrics");

    assertThat(actual.status()).isEqualTo(200);
    assertThat(withoutValues(actual.body())).isEqualTo(withoutValues(Fixtures.text("metrics.txt")));
    assertThat(actual.body()).contains("llamacpp:tokens_predicted_total 5\n");
    assertThat(actual.body()).doesNotContain("llamacpp:prompt_tokens_total 0\n");
  }

  @Test
  void unknownPathIsLikeTheCaptureAndClosesTheConnection() throws IOException {
    assertErrorLikeCapture("error-404.txt", "GET", "/nope", null);
  }

  @Test
  void malformedJsonIsA500LikeTheCapture() throws IOException {
    RawHttp.Response actual = assertErrorLikeCapture("error-bad-json.txt", "POST", "/v1/chat/completions", "{bad");
    assertThat(actual.json().at("/error/message").asText()).startsWith("[json.exception.parse_error.101] parse error");
  }

  @Test
  void missingMessagesIsA400LikeTheCapture() throws IOException {
    assertErrorLikeCapture("error-missing-messages.txt", "POST", "/v1/chat/completions", "{\"model\":\"x\"}");
  }

  private RawHttp.Response assertErrorLikeCapture(String fixture, String method, String path, String body)
      throws IOException {
    RawHttp.Response expected = Fixtures.response(fixture);
    try (RawHttp http = new RawHttp(sim.port())) {
      http.send(method, path, body);
      RawHttp.Response actual = http.readResponse();

      assertThat(actual.status()).isEqualTo(expected.status());
      assertThat(actual.headerNames()).isEqualTo(expected.headerNames());
      JsonShape.assertSameShape(expected.json(), actual.json());
      if (!fixture.equals("error-bad-json.txt")) {
        assertThat(actual.body()).isEqualTo(expected.body());
      }
      assertThat(http.read()).as("connection closed after the error").isEqualTo(-1);
      return actual;
    }
  }

  private static void assertSameEvents(List<String> expected, List<String> actual) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      if (expected.get(i).equals("[DONE]")) {
        assertThat(actual.get(i)).isEqualTo("[DONE]");
      } else {
        JsonShape.assertSameShape(Fixtures.parse(expected.get(i)), Fixtures.parse(actual.get(i)));
      }
    }
  }

  private static List<String> withoutValues(String metrics) {
    return metrics.lines().map(line -> line.startsWith("#") ? line : line.substring(0, line.indexOf(' '))).toList();
  }
}
