package dev.rolemesh.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.JavaProcess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway killed with SIGKILL while it saves the registry as fast as it can must leave a file that loads: the old
 * registry or the new one, never a torn one. Each round kills a writer once the file shows it got further than the
 * last round, then checks the file; the next writer starts from that file.
 */
class RegistryCrashTest {

  private static final int ROUNDS = 3;
  private static final long PROGRESS_PER_ROUND = 300;

  @TempDir
  Path dir;

  @Test
  void killNineDuringHeavyRegistrationNeverLeavesAnUnreadableFile() throws Exception {
    Path file = dir.resolve(RegistryFile.NAME);
    long reached = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Process child = startChild(round);
      try {
        reached = awaitSeq(file, reached + PROGRESS_PER_ROUND, child);
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
      List<Node> survived = RegistryFile.parse(Files.readAllBytes(file));
      assertThat(survived).isNotEmpty();
      reached = maxSeq(survived);
    }

    List<Node> loaded = new RegistryFile(dir, JsonLog.stdout()).load();
    assertThat(maxSeq(loaded)).isEqualTo(reached);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .noneMatch(name -> name.contains("corrupt"));
    }
  }

  private Process startChild(int round) throws Exception {
    return new ProcessBuilder(JavaProcess.command(List.of(), RegistryCrashChild.class.getName(), dir.toString()))
        .redirectErrorStream(true)
        .redirectOutput(new File(dir.toFile(), "child-" + round + ".log"))
        .start();
  }

  /**
   * Polls the file until its highest {@code meta.seq} reaches {@code target}; every read on the way must parse,
   * since a reader may open the file at any instant of a save.
   */
  private static long awaitSeq(Path file, long target, Process child) throws Exception {
    AtomicLong seen = new AtomicLong();
    Await.until("the registry file to reach seq " + target, () -> {
      if (!child.isAlive()) {
        throw new AssertionError("the writer exited on its own with code " + child.exitValue());
      }
      try {
        seen.set(maxSeq(RegistryFile.parse(Files.readAllBytes(file))));
      } catch (NoSuchFileException e) {
        return false;
      }
      return seen.get() >= target;
    });
    return seen.get();
  }

  private static long maxSeq(List<Node> nodes) {
    return nodes.stream().mapToLong(node -> node.meta().path("seq").asLong()).max().orElse(0);
  }
}
