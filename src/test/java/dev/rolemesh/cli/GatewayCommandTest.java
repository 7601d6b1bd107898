package dev.rolemesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.testing.HttpCalls;
import dev.rolemesh.testing.JavaProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway as a user starts it: a real process, its exit codes and what it prints. */
class GatewayCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

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
  void aMissingConfigFileExitsWithCode2() throws Exception {
    try (JavaProcess gateway = JavaProcess.start(dir, "gateway")) {
      assertThat(gateway.awaitExit()).isEqualTo(2);
      assertThat(gateway.output().getLast()).contains("configs/models.yaml");
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
          writer: {type: proxy, proxy_url: "http://127.0.0.1:10"}
        """);

    try (JavaProcess gateway = JavaProcess.start(dir, "gateway", "--config", "base.yaml",
        "--config-override", "local.yaml", "--port", "0")) {
      JsonNode listening = JSON.readTree(gateway.awaitLine(line -> line.contains("\"event\":\"listening\"")));
      String url = listening.path("url").asText();
      assertThat(url).startsWith("http://127.0.0.1:");
      gateway.awaitLine(line -> line.contains("\"alias\":\"writer\""));

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
