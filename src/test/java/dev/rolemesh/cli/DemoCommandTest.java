package dev.rolemesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.testing.JavaProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README's first command: the demo shows listing, routing by role and streaming, with no GPU and no model. */
class DemoCommandTest {

  private static final String LOG_PREFIX = "The gateway's log, one JSON line per request: ";

  @Test
  void theWalkThroughRoutesBothRolesAndStreams() throws Exception {
    try (JavaProcess demo = JavaProcess.start(null, List.of(), true, "demo", "--port", "0", "--once")) {
      assertThat(demo.awaitExit()).isEqualTo(0);
      List<String> out = demo.output();
      assertThat(out).contains("  planner", "  writer");
      assertThat(out).anyMatch(line -> line.startsWith("  served by backend model planner-sim: Once upon a time"));
      assertThat(out).anyMatch(line -> line.startsWith("  Once upon a time"));
      String logLine = out.stream().filter(line -> line.startsWith(LOG_PREFIX)).findFirst().orElseThrow();
      Path log = Path.of(logLine.substring(LOG_PREFIX.length()));
      assertThat(Files.readAllLines(log))
          .anyMatch(line -> line.contains("\"event\":\"request\"") && line.contains("\"stream\":true"));
      Files.delete(log);
    }
  }
}
