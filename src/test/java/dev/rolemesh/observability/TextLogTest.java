package dev.rolemesh.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.observability.LogSettings.Format;
import dev.rolemesh.observability.LogSettings.Level;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text format: what a person at a terminal reads, one short line per request and per event. */
class TextLogTest {

  private static final String TIME = "\\d\\d:\\d\\d:\\d\\d\\.\\d{3}";

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private JsonLog log(boolean colour, Level level) {
    return JsonLog.to(new PrintStream(bytes, true, StandardCharsets.UTF_8), new LogSettings(Format.TEXT, colour, level));
  }

  private List<String> lines(JsonLog log) {
    log.flush();
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void aRequestIsOneLineWithStatusRouteTimingAndSize() {
    JsonLog log = log(false, Level.INFO);
    AccessLog access = new AccessLog(log);
    access.write(new AccessLog.Entry("5f3a", "POST", "/v1/chat/completions", "writer", "http://127.0.0.1:8081",
        200, 1234.5, 12.25, 2048, true, 1, null));
    access.write(new AccessLog.Entry("6b4c", "POST", "/v1/chat/completions", "coder", "http://127.0.0.1:8082",
        502, 3.1, -1, 0, false, 2, "connection refused"));
    access.write(new AccessLog.Entry("7c5d", "POST", "/v1/chat/completions", null, null, 400, 0.4, -1, 120, false,
        1, null));

    assertThat(lines(log)).satisfiesExactly(
        line -> assertThat(line).matches(TIME + " INFO  200 POST /v1/chat/completions writer -> http://127.0.0.1:8081"
            + " 1.23 s \\(first byte 12.3 ms\\) 2048 B stream 5f3a"),
        line -> assertThat(line).matches(TIME + " WARN  502 POST /v1/chat/completions coder -> http://127.0.0.1:8082"
            + " 3.1 ms 0 B, 2 attempts connection refused 6b4c"),
        line -> assertThat(line).matches(TIME + " INFO  400 POST /v1/chat/completions 0.4 ms 120 B 7c5d"));
  }

  @Test
  void aRequestThatWaitedForASlotSaysHowLong() {
    JsonLog log = log(false, Level.INFO);
    new AccessLog(log).write(new AccessLog.Entry("8d6e", "POST", "/v1/chat/completions", "coder",
        "http://127.0.0.1:8082", 200, 1500, -1, 300, false, 1, null, null, null, null, -1, -1, null, 1250.5));
    new AccessLog(log).write(new AccessLog.Entry("9e7f", "POST", "/v1/chat/completions", "coder", null, 503, 30001,
        -1, 200, false, 0, null, null, null, null, -1, -1, null, 30000));

    assertThat(lines(log)).satisfiesExactly(
        line -> assertThat(line).matches(TIME + " INFO  200 POST /v1/chat/completions coder -> http://127.0.0.1:8082"
            + " 1.50 s \\(queued 1.25 s\\) 300 B 8d6e"),
        line -> assertThat(line).matches(TIME + " WARN  503 POST /v1/chat/completions coder 30.00 s"
            + " \\(queued 30.00 s\\) 200 B 9e7f"));
  }

  @Test
  void aRequestAFallbackServedNamesTheFallbackBesideTheRoleAskedFor() {
    JsonLog log = log(false, Level.INFO);
    new AccessLog(log).write(new AccessLog.Entry("8d6e", "POST", "/v1/chat/completions", "coder",
        "http://127.0.0.1:8012", 200, 5, -1, 300, false, 1, null, null, null, null, -1, -1, "writer"));

    assertThat(lines(log)).singleElement().asString().matches(TIME + " INFO  200 POST /v1/chat/completions coder"
        + " \\(fallback writer\\) -> http://127.0.0.1:8012 5.0 ms 300 B 8d6e");
  }

  @Test
  void anEventShowsItsMessageAndOnlyTheFieldsTheMessageDoesNotSay() {
    JsonLog log = log(false, Level.INFO);
    log.info("listening", "RoleMesh gateway listening on http://127.0.0.1:8000", "url", "http://127.0.0.1:8000",
        "native_transport", true, "config", "configs/models.yaml");
    log.info("server_ready", null, "gpu", 0, "model", "planner-sim", "port", 41234);

    assertThat(lines(log)).satisfiesExactly(
        line -> assertThat(line).matches(
            TIME + " INFO  RoleMesh gateway listening on http://127.0.0.1:8000 config=configs/models.yaml"),
        line -> assertThat(line).matches(TIME + " INFO  server_ready gpu=0 model=planner-sim port=41234"));
  }

  @Test
  void coloursMarkLevelAndStatusOnATerminal() {
    JsonLog log = log(true, Level.INFO);
    log.warn("config_warning", "unknown key colour (ignored)");
    new AccessLog(log).write(new AccessLog.Entry("r", "GET", "/v1/models", null, null, 200, 1, -1, 10, false, 1,
        null));

    List<String> lines = lines(log);
    assertThat(lines.get(0)).contains("\u001b[33mWARN \u001b[0m unknown key colour (ignored)");
    assertThat(lines.get(1)).contains("\u001b[32m200\u001b[0m GET /v1/models");
  }

  @Test
  void linesBelowTheLevelAreNotWritten() {
    JsonLog log = log(false, Level.WARN);
    log.info("listening", "quiet");
    new AccessLog(log).write(new AccessLog.Entry("a", "GET", "/v1/models", null, null, 200, 1, -1, 10, false, 1,
        null));
    new AccessLog(log).write(new AccessLog.Entry("b", "GET", "/v1/models", null, null, 503, 1, -1, 10, false, 1,
        null));
    log.error("stop_failed", "loud");

    assertThat(lines(log)).satisfiesExactly(
        line -> assertThat(line).contains("WARN  503 GET /v1/models"),
        line -> assertThat(line).endsWith("ERROR loud"));
  }
}
