package dev.rolemesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.testing.FreePorts;
import dev.rolemesh.testing.JavaProcess;
import dev.rolemesh.testing.TestGateway;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code rolemesh status} as a script runs it: a table on stdout, and an exit code that says whether to go on. */
class StatusCommandTest {

  private static final String CLEAR = "\033[H\033[2J";

  private static TestGateway ready;
  private static TestGateway down;

  @BeforeAll
  static void start() {
    ready = new TestGateway().clientAndNodeKeys();
    ready.proxy("planner", ready.simulator(SimOptions.defaults().withAlias("story"))).start();
    down = new TestGateway();
    down.proxy("gone", "http://127.0.0.1:" + FreePorts.loopback(), Map.of(), TestGateway.FAST).start();
  }

  @AfterAll
  static void stop() {
    ready.close();
    down.close();
  }

  @Test
  void aServingDefaultRoleExitsZeroWithTheTable() throws Exception {
    ready.postChat("planner", "Authorization", "Bearer " + TestGateway.CLIENT_KEY);

    Run run = status("--url", ready.baseUrl(), "--key", TestGateway.CLIENT_KEY);

    assertThat(run.exit()).isZero();
    assertThat(run.output()).anyMatch(line -> line.contains("default role planner: ready"));
    assertThat(run.output()).anyMatch(line -> line.startsWith("ROLE") && line.contains("TTFT P95"));
    assertThat(run.output()).anyMatch(line -> line.matches("planner +proxy +fixed +available +0 .*0%"));
    assertThat(run.output()).contains("No registered nodes.");
    assertThat(run.output()).anyMatch(line -> line.startsWith("Recent error rate: 0% of 1 requests"));
  }

  @Test
  void aDefaultRoleThatCannotServeExitsOne() throws Exception {
    Run run = status("--url", down.baseUrl());

    assertThat(run.exit()).isEqualTo(StatusCommand.CANNOT_SERVE);
    assertThat(run.output()).anyMatch(line -> line.contains("default role gone: CANNOT SERVE"));
    assertThat(run.output()).anyMatch(line -> line.startsWith("gone") && line.contains("down: "));
  }

  @Test
  void aRefusedKeyOrNoGatewayExitsThree() throws Exception {
    Run refused = status("--url", ready.baseUrl(), "--key", "wrong");
    assertThat(refused.exit()).isEqualTo(StatusCommand.UNREACHABLE);
    assertThat(refused.output()).anyMatch(line -> line.contains("answered 401"));

    Run nobody = status("--url", "http://127.0.0.1:" + FreePorts.loopback());
    assertThat(nobody.exit()).isEqualTo(StatusCommand.UNREACHABLE);
    assertThat(nobody.output()).anyMatch(line -> line.contains("cannot reach"));
  }

  @Test
  void watchRedrawsWithFreshNumbersSaysWhenTheGatewayGoesAwayAndStopsWhenTold() throws Exception {
    TestGateway gateway = new TestGateway();
    gateway.proxy("planner", gateway.simulator(SimOptions.defaults().withAlias("story"))).start();
    try (JavaProcess watch = JavaProcess.start(null, "status", "--watch", "--url", gateway.baseUrl())) {
      watch.awaitLine(line -> line.startsWith("Recent error rate: 0% of 0 requests"));

      gateway.postChat("planner");

      // A later picture, on a cleared screen, with the request in it.
      watch.awaitLine(line -> line.startsWith("Recent error rate: 0% of 1 requests"));
      assertThat(watch.output()).filteredOn(line -> line.startsWith(CLEAR + "RoleMesh gateway ")).hasSizeGreaterThan(1);
      assertThat(watch.output()).anyMatch(line -> line.startsWith("Every 2 s, last at "));

      gateway.close();
      watch.awaitLine(line -> line.contains("cannot reach " + gateway.baseUrl()));
      assertThat(watch.process().isAlive()).as("still watching").isTrue();

      watch.terminate();
      assertThat(watch.awaitExit()).isZero();
      assertThat(watch.output()).noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Exception in"));
    } finally {
      gateway.close();
    }
  }

  private record Run(int exit, List<String> output) {}

  private static Run status(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "status";
    System.arraycopy(args, 0, command, 1, args.length);
    try (JavaProcess process = JavaProcess.start(null, command)) {
      int exit = process.awaitExit();
      return new Run(exit, process.output());
    }
  }
}
