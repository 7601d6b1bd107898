package dev.rolemesh.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.json.Json;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.JavaProcess;
import dev.rolemesh.testing.NodeRegistrations;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway killed with SIGKILL must lose nothing it acknowledged and leave a file that loads.
 *
 * <p>Torn files: while it saves the registry as fast as it can, the file must hold the old registry or the new one,
 * never a torn one. Each round kills a writer once the file shows it got further than the last round, then checks
 * the file; the next writer starts from that file.
 *
 * <p>Acknowledgements: a real gateway process gets a burst of registrations and is killed from the client's own
 * callback the moment the last awaited 200 arrives (or half-way, with requests still in flight); every node that
 * got its 200 must be in the file the next gateway starts from.
 */
class RegistryCrashTest {

  private static final int ROUNDS = 3;
  private static final long PROGRESS_PER_ROUND = 300;
  private static final int ACK_ROUNDS = 2;
  private static final int BURST = 200;

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

  @Test
  void killNineRightAfterTheAnswersLosesNoAcknowledgedRegistration() throws Exception {
    Files.writeString(dir.resolve("gateway.yaml"), """
        models:
          reviewer: {type: discovered, openai_model_name: reviewer, role: reviewer}
        """);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    for (int round = 0; round < ACK_ROUNDS; round++) {
      // Even rounds kill once every registration was answered, odd ones half-way through the burst.
      int killAfter = round % 2 == 0 ? BURST : BURST / 2;
      acknowledged.addAll(registerThenKill(round, killAfter));
      List<String> saved = RegistryFile.parse(Files.readAllBytes(dir.resolve("state").resolve(RegistryFile.NAME)))
          .stream().map(Node::nodeId).toList();
      assertThat(saved).as("round %d", round).containsAll(acknowledged);
    }
  }

  /** Starts a gateway, sends a burst of registrations, and SIGKILLs it from the callback of the n-th 200. */
  private Set<String> registerThenKill(int round, int killAfter) throws Exception {
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    try (JavaProcess gateway = JavaProcess.start(dir, "gateway", "--config", "gateway.yaml", "--port", "0");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      String url = Json.parse(gateway.awaitLine(line -> line.contains("\"event\":\"listening\"")))
          .path("url").asText();
      AtomicInteger answered = new AtomicInteger();
      List<CompletableFuture<?>> calls = new ArrayList<>();
      for (int i = 0; i < BURST; i++) {
        String nodeId = "r" + round + "-n" + i;
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/nodes/register"))
            .timeout(Await.DEADLINE)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                NodeRegistrations.legacy(nodeId, "http://127.0.0.1:" + (1 + i), "reviewer")))
            .build();
        calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenAccept(response -> {
          if (response.statusCode() == 200) {
            acknowledged.add(nodeId);
            if (answered.incrementAndGet() == killAfter) {
              gateway.process().destroyForcibly();
            }
          }
        }));
      }
      // Requests still open when the gateway died fail; only the answered ones count.
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).handle((done, error) -> null)
          .get(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertThat(gateway.process().waitFor(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(killAfter);
    return acknowledged;
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
