package dev.rolemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.testing.RawHttp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code rolemesh sim} as a real process, the way a node agent launches it in place of llama-server. */
class SimCommandProcessTest {

  private static final Pattern LISTENING =
      Pattern.compile("sim: listening on http://127\\.0\\.0\\.1:(\\d+) \\(model planner\\)");

  @Test
  void printsTheRealPortServesUntilTerminatedAndIgnoresForeignFlags() throws Exception {
    Process process = launch("sim", "--port", "0", "-a", "planner", "-ngl", "99", "-t", "4", "-ctk", "q8_0", "-cb",
        "-fa", "on", "--no-mmap", "--seed", "-1", "-np", "2", "--metrics");
    try {
      BufferedReader stdout =
          new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(60, TimeUnit.SECONDS);
      Matcher matcher = LISTENING.matcher(String.valueOf(line));
      assertThat(matcher.matches()).as("startup line: %s", line).isTrue();
      int port = Integer.parseInt(matcher.group(1));

      assertThat(RawHttp.call(port, "GET", "/health", null).body()).isEqualTo("{\"status\":\"ok\"}");
      assertThat(RawHttp.call(port, "GET", "/v1/models", null).json().at("/data/0/id").asText()).isEqualTo("planner");
      assertThat(RawHttp.call(port, "GET", "/slots", null).json()).hasSize(2);
      assertThat(RawHttp.call(port, "GET", "/metrics", null).status()).isEqualTo(200);
    } finally {
      process.destroy();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits on SIGTERM").isTrue();
    }
  }

  @Test
  void aMissingModelFileExitsNonZeroLikeLlamaServer() throws Exception {
    Process process = launch("sim", "--port", "0", "-m", "/nonexistent.gguf");

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(1);
    assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("failed to load model '/nonexistent.gguf'");
  }

  private static Process launch(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        System.getProperty("java.home") + "/bin/java",
        "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"),
        "dev.rolemesh.cli.Main"));
    command.addAll(List.of(args));
    // stderr stays small (a failure line, JVM warnings); it is read after exit or dropped with the process
    return new ProcessBuilder(command).start();
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
