package dev.rolemesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.testing.JavaProcess;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README's first command: the demo shows listing, routing by role and streaming, with no GPU and no model. */
class DemoCommandTest {

  @Test
  void theWalkThroughRoutesBothRolesAndStreams() throws Exception {
    // The walk-through goes to stdout and the gateway's log to stderr; read as one stream, a log line written while
    // tokens arrive would land inside the streamed line.
    try (JavaProcess demo = JavaProcess.start(null, List.of(), true, "demo", "--port", "0", "--once")) {
      assertThat(demo.awaitExit()).isEqualTo(0);
      List<String> out = demo.output();
      assertThat(out).contains("  planner", "  writer");
      assertThat(out).anyMatch(line -> line.startsWith("  served by backend model planner-sim: Once upon a time"));
      assertThat(out).anyMatch(line -> line.startsWith("  Once upon a time"));
      assertThat(demo.errors())
          .anyMatch(line -> line.contains("\"event\":\"request\"") && line.contains("\"stream\":true"));
    }
  }
}
