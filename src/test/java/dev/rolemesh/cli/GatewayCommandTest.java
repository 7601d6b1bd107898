package dev.rolemesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.testing.HttpCalls;
import dev.rolemesh.testing.JavaProcess;
import dev.rolemesh.testing.JsonResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway as a user starts it: a real process, its exit codes and what it prints. */
class GatewayCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String OK = """
      models:
        planner: {type: proxy, proxy_url: "http://127.0.0.1:9"}
      """;

  @TempDir
  Path dir;

  @Test
  void aBadConfigExitsWithCode2AndOneLineNamingTheField() throws Exception {
    Files.writeString(dir.resolve("bad.yaml"), """
        models:
          planner:
            type: proxy
            proxy_url: localhost:8011
        """);

    try (JavaProcess gateway = JavaProcess.start(dir, "gateway", "--config", "bad.yaml")) {
      assertThat(gateway.awaitExit()).isEqualTo(2);
      assertThat(gateway.output()).hasSize(1);
      assertThat(gateway.output().getFirst()).contains("bad.yaml").contains("models.planner.proxy_url")
          .doesNotContain("Exception");
    }
  }

  @Test
  void aMissingDefaultConfigSaysHowToPointAtOne() throws Exception {
    try (JavaProcess gateway = JavaProcess.start(dir, "gateway")) {
      assertThat(gateway.awaitExit()).isEqualTo(2);
      assertThat(gateway.output()).singleElement().asString()
          .startsWith("rolemesh: no config: " + dir.toRealPath().resolve("configs/models.yaml") + " does not exist")
          .contains("configs/models.example.yaml", "--config FILE", "ROLE_MESH_CONFIG=FILE");
    }
  }

  @Test
  void aMisspeltRequiredKeyIsNamedBesideTheKeyItShouldBe() throws Exception {
    Files.writeString(dir.resolve("typo.yaml"), """
        models:
          planner: {type: proxy, proxy_ulr: "http://127.0.0.1:9"}
        """);

    try (JavaProcess gateway = JavaProcess.start(dir, "gateway", "--config", "typo.yaml")) {
      assertThat(gateway.awaitExit()).isEqualTo(2);
      assertThat(gateway.output()).singleElement().asString()
          .isEqualTo("rolemesh: typo.yaml: models.planner.proxy_url: required for type: proxy, like"
              + " http://127.0.0.1:8011 (the file has models.planner.proxy_ulr: a misspelling of proxy_url?)");
    }
  }

  @Test
  void aFallbackChainThatLoopsExitsWithCode2NamingTheEntry() throws Exception {
    Files.writeString(dir.resolve("loop.yaml"), """
        models:
          coder: {type: discovered, fallbacks: [writer]}
          writer: {type: proxy, proxy_url: "http://127.0.0.1:9", fallbacks: [coder]}
        """);

    try (JavaProcess gateway = JavaProcess.start(dir, "gateway", "--config", "loop.yaml")) {
      assertThat(gateway.awaitExit()).isEqualTo(2);
      assertThat(gateway.output()).singleElement().asString()
          .isEqualTo("rolemesh: loop.yaml: models.writer.fallbacks[0]: \"coder\" leads back to itself:"
              + " coder -> writer -> coder (a fallback chain must not loop)");
    }
  }

  @Test
  void anImpossiblePortExitsWithCode2LikeTheSameMistakeInTheConfig() throws Exception {
    Files.writeString(dir.resolve("ok.yaml"), OK);

    try (JavaProcess gateway = JavaProcess.start(dir, "gateway", "--config", "ok.yaml", "--port", "99999")) {
      assertThat(gateway.awaitExit()).isEqualTo(2);
      assertThat(gateway.output()).containsExactly("rolemesh: --port: must be an integer from 0 to 65535, got 99999");
    }
    try (JavaProcess gateway = JavaProcess.start(dir, "gateway", "--config", "ok.yaml", "--log-format", "xml")) {
      assertThat(gateway.awaitExit()).isEqualTo(2);
      assertThat(gateway.output()).containsExactly("rolemesh: --log-format: must be json|text, got 'xml'");
    }
  }

  @Test
  void aPortInUseIsNamedInOneLine() throws Exception {
    Files.writeString(dir.resolve("ok.yaml"), OK);

    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        JavaProcess gateway = JavaProcess.start(dir, List.of(), true, "gateway", "--config", "ok.yaml",
            "--port", String.valueOf(taken.getLocalPort()))) {
      assertThat(gateway.awaitExit()).isEqualTo(1);
      // Only the gateway's own lines: SLF4J's notice comes from a library on the test classpath, and a loaded
      // machine may make Vert.x report a slow event loop.
      assertThat(gateway.errors()).filteredOn(line -> line.startsWith("rolemesh"))
          .containsExactly("rolemesh: 127.0.0.1:" + taken.getLocalPort() + " is already in use");
      assertThat(gateway.errors()).noneMatch(line -> line.contains("bind(") || line.contains("Exception"));
    }
  }

  /**
   * On a terminal the text format is the default; a pipe gets JSON unless asked. Each request is one line with its
   * status, route and timing, and a malformed body is answered with where and what, without parser internals.
   */
  @Test
  void inTheTextFormatEachRequestAndEventIsOneShortLine() throws Exception {
    Files.writeString(dir.resolve("ok.yaml"), OK);

    try (JavaProcess gateway = JavaProcess.start(dir, "gateway", "--config", "ok.yaml", "--port", "0",
        "--log-format", "text")) {
      String listening = gateway.awaitLine(line -> line.contains("RoleMesh gateway listening on"));
      assertThat(listening).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  RoleMesh gateway listening on http://127\\.0\\.0\\.1:\\d+ .*")
          .doesNotContain("{", "\u001b[");
      String url = listening.replaceAll(".* on (http://[^ ]+).*", "$1");

      try (HttpCalls http = HttpCalls.http1(() -> url)) {
        JsonResponse answer = http.post("/v1/chat/completions", "{\"model\": \"planner\",\n \"messages\": [");
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.json().at("/error/message").asText()).isEqualTo("Request body is not valid JSON:"
            + " line 2, column 15: the input ends inside the array opened at line 2, column 14");
        assertThat(http.post("/v1/chat/completions", "{\"model\":\"planner\",\"messages\":[]}").statusCode())
            .isEqualTo(502);
      }
      assertThat(gateway.awaitLine(line -> line.contains(" 502 POST /v1/chat/completions planner -> ")))
          .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  502 POST /v1/chat/completions planner -> http://127\\.0\\.0\\.1:9 [0-9.]+ m?s \\d+ B .*");
    }
  }

  @Test
  void itListensOnLoopbackByDefaultAndMergesTheOverride() throws Exception {
    Files.writeString(dir.resolve("base.yaml"), """
        default_model: planner
        gateway: {port: 8000}
        models:
          planner: {type: proxy, proxy_url: "http://127.0.0.1:9"}
        """);
    Files.writeString(dir.resolve("local.yaml"), """
        models:
          writer: {type: proxy, proxy_url: "http://127.0.0.1:10", fallbacks: [planner]}
        """);

    try (JavaProcess gateway = JavaProcess.start(dir, "gateway", "--config", "base.yaml",
        "--config-override", "local.yaml", "--port", "0")) {
      JsonNode listening = JSON.readTree(gateway.awaitLine(line -> line.contains("\"event\":\"listening\"")));
      String url = listening.path("url").asText();
      assertThat(url).startsWith("http://127.0.0.1:");
      JsonNode writer = JSON.readTree(gateway.awaitLine(line -> line.contains("\"alias\":\"writer\"")));
      assertThat(writer.path("msg").asText()).endsWith(", falls back to planner");
      assertThat(writer.path("fallbacks").toString()).isEqualTo("[\"planner\"]");

      try (HttpCalls http = HttpCalls.preferringHttp2(() -> url)) {
        assertThat(http.get("/health").statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void aNonLoopbackBindWithoutClientKeysWarnsLoudly() throws Exception {
    Files.writeString(dir.resolve("open.yaml"), """
        models:
          planner: {type: proxy, proxy_url: "http://127.0.0.1:9"}
        """);

    try (JavaProcess gateway = JavaProcess.start(dir, "gateway", "--config", "open.yaml",
        "--host", "0.0.0.0", "--port", "0")) {
      assertThat(gateway.awaitLine(line -> line.contains("exposed_without_keys"))).contains("WARNING");
    }
  }
}
