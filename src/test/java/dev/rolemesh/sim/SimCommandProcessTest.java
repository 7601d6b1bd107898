package dev.rolemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.testing.JavaProcess;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.TestModels;
import java.util.List;
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
    try (JavaProcess sim = launch("sim", "--port", "0", "-a", "planner", "-ngl", "99", "-t", "4", "-ctk", "q8_0",
        "-cb", "-fa", "on", "--no-mmap", "--seed", "-1", "-np", "2", "--metrics")) {
      String line = sim.awaitLine(any -> true);
      Matcher matcher = LISTENING.matcher(line);
      assertThat(matcher.matches()).as("startup line: %s", line).isTrue();
      int port = Integer.parseInt(matcher.group(1));

      assertThat(RawHttp.call(port, "GET", "/health", null).body()).isEqualTo("{\"status\":\"ok\"}");
      assertThat(RawHttp.call(port, "GET", "/v1/models", null).json().at("/data/0/id").asText()).isEqualTo("planner");
      assertThat(RawHttp.call(port, "GET", "/slots", null).json()).hasSize(2);
      assertThat(RawHttp.call(port, "GET", "/metrics", null).status()).isEqualTo(200);

      sim.process().destroy();
      assertThat(sim.process().waitFor(30, TimeUnit.SECONDS)).as("exits on SIGTERM").isTrue();
    }
  }

  @Test
  void aRealModelFileIsServedUnderItsFileName() throws Exception {
    try (JavaProcess sim = launch("sim", "--port", "0", "-m", TestModels.stories260K().toString())) {
      String line = sim.awaitLine(any -> true);
      assertThat(line).startsWith("sim: listening on http://127.0.0.1:").endsWith("(model stories260K.gguf)");
      int port = Integer.parseInt(line.replaceAll(".*:(\\d+) .*", "$1"));
      assertThat(RawHttp.call(port, "GET", "/v1/models", null).json().at("/data/0/id").asText())
          .isEqualTo("stories260K.gguf");
    }
  }

  @Test
  void aMissingModelFileExitsNonZeroLikeLlamaServer() throws Exception {
    try (JavaProcess sim = launch("sim", "--port", "0", "-m", "/nonexistent.gguf")) {
      assertThat(sim.awaitExit()).isEqualTo(1);
      assertThat(String.join("\n", sim.errors())).contains("failed to load model '/nonexistent.gguf'");
    }
  }

  /** stdout apart from stderr, so the startup line is checked to be the very first thing on stdout. */
  private static JavaProcess launch(String... args) throws Exception {
    return JavaProcess.start(null, List.of(), true, args);
  }
}
