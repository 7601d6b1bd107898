package dev.rolemesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.JavaProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README's first command: the demo shows listing, routing by role and streaming, with no GPU and no model. */
class DemoCommandTest {

  private static final String LOG_PREFIX = "The gateway's log, one JSON line per request (removed when the demo ends): ";

  private static Path log(List<String> out) {
    return Path.of(out.stream().filter(line -> line.startsWith(LOG_PREFIX)).findFirst().orElseThrow()
        .substring(LOG_PREFIX.length()));
  }

  @Test
  void theWalkThroughRoutesBothRolesAndStreamsAndTheLogGoesWithTheDemo() throws Exception {
    try (JavaProcess demo = JavaProcess.start(null, List.of(), true, "demo", "--port", "0")) {
      demo.awaitLine(line -> line.equals("Ctrl-C stops it."));
      List<String> out = demo.output();
      assertThat(out).contains("  planner", "  writer");
      assertThat(out).anyMatch(line -> line.startsWith("  served by backend model planner-sim: Once upon a time"));
      assertThat(out).anyMatch(line -> line.startsWith("  Once upon a time"));
      Path log = log(out);
      // The access line is written by the log thread just after the client has its answer: waited for.
      Await.until("the streamed request's access line", () -> Files.readAllLines(log).stream()
          .anyMatch(line -> line.contains("\"event\":\"request\"") && line.contains("\"stream\":true")));

      demo.terminate();
      demo.awaitExit();
      assertThat(log).doesNotExist();
    }
  }

  @Test
  void withTheAgentAModelIsLoadedThenAGpuSwitchedAndTheStreamArrives() throws Exception {
    try (JavaProcess demo = JavaProcess.start(null, List.of(), true, "demo", "--agent", "--once", "--port", "0")) {
      assertThat(demo.awaitExit()).as("exit code; stderr: %s", demo.errors()).isEqualTo(0);
      List<String> out = demo.output();
      assertThat(out).contains("  planner-sim for role planner", "  writer-sim for role writer",
          "  coder-sim for role coder");
      assertThat(out).anyMatch(line -> line.startsWith("  served by planner-sim after "));
      assertThat(out).anyMatch(line -> line.startsWith("  served by writer-sim after "));
      assertThat(out).anyMatch(line -> line.startsWith("  Once upon a time"));
      assertThat(out).anyMatch(line -> line.startsWith("  GPU 0: coder-sim ready   GPU 1: writer-sim ready"));
      assertThat(log(out)).doesNotExist();
    }
  }
}
