package dev.rolemesh.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLogTest {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final JsonLog log = JsonLog.to(new PrintStream(bytes, true, StandardCharsets.UTF_8));

  private List<String> lines() {
    log.flush();
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void writesOneObjectPerLineInOrder() {
    for (int i = 0; i < 1000; i++) {
      log.info("tick", null, "n", i, "nested", Map.of("k", List.of(1, 2)));
    }

    List<String> lines = lines();
    assertThat(lines).hasSize(1000);
    for (int i = 0; i < lines.size(); i++) {
      var line = Json.parse(lines.get(i));
      assertThat(line.path("event").asText()).isEqualTo("tick");
      assertThat(line.path("level").asText()).isEqualTo("info");
      assertThat(line.path("ts").asText()).endsWith("Z");
      assertThat(line.path("n").asInt()).isEqualTo(i);
      assertThat(line.path("nested").path("k").get(1).asInt()).isEqualTo(2);
    }
  }

  @Test
  void aLineThatCannotBeWrittenIsSkippedAndTheRestSurvive() {
    log.info("before", "ok");
    log.record(gen -> {
      gen.writeStringField("half", "written");
      throw new IllegalStateException("broken line");
    });
    log.warn("after", "ok", "detail", "still here");

    List<String> lines = lines();
    assertThat(lines).hasSize(2);
    assertThat(Json.parse(lines.get(0)).path("event").asText()).isEqualTo("before");
    assertThat(Json.parse(lines.get(1)).path("detail").asText()).isEqualTo("still here");
  }

  @Test
  void accessLinesCarryTheRequestFields() {
    new AccessLog(log).write(new AccessLog.Entry("r1", "POST", "/v1/chat/completions", "coder",
        "http://127.0.0.1:8080", 502, 12.5, -1, 0, true, 2, "refused"));

    var line = Json.parse(lines().getFirst());
    assertThat(line.path("level").asText()).isEqualTo("warn");
    assertThat(line.path("event").asText()).isEqualTo("request");
    assertThat(line.path("request_id").asText()).isEqualTo("r1");
    assertThat(line.path("status").asInt()).isEqualTo(502);
    assertThat(line.path("ttfb_ms").isNull()).isTrue();
    assertThat(line.path("attempts").asInt()).isEqualTo(2);
    assertThat(line.path("error").asText()).isEqualTo("refused");
    assertThat(line.path("stream").asBoolean()).isTrue();
    assertThat(line.has("queue_ms")).isFalse();
  }

  @Test
  void aRequestThatQueuedCarriesItsWait() {
    new AccessLog(log).write(new AccessLog.Entry("r2", "POST", "/v1/chat/completions", "coder",
        "http://127.0.0.1:8080", 200, 40.5, -1, 10, false, 1, null, null, null, null, -1, -1, null, 31.25));

    assertThat(Json.parse(lines().getFirst()).path("queue_ms").asDouble()).isEqualTo(31.25);
  }
}
