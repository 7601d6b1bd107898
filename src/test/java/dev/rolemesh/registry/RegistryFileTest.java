package dev.rolemesh.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.NodeRegistrations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryFileTest {

  @TempDir
  Path dir;

  private final TestClock clock = new TestClock();

  private NodeRegistry open() {
    return NodeRegistry.open(new RegistrySettings(dir, Duration.ofSeconds(30), clock), JsonLog.stdout());
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }

  @Test
  void registryComesBackAfterARestartWithItsLastSeen() throws Exception {
    NodeRegistry first = open();
    first.register(Nodes.serving("gpu-box-1", "http://10.0.0.12:8014", "qwen3-8b", "reviewer"));
    clock.advance(Duration.ofSeconds(10));
    first.register(Nodes.legacy("gpu-box-2", "http://10.0.0.13:8014", "writer"));
    first.heartbeat(new Heartbeat("gpu-box-2", new Node.Load(1, 3)));
    List<Node> before = first.nodes();
    first.close();

    NodeRegistry second = open();

    assertThat(second.nodes()).isEqualTo(before);
    assertThat(second.freshServing("reviewer")).hasSize(1);
    clock.advance(Duration.ofSeconds(25));
    assertThat(second.freshServing("reviewer")).isEmpty();
    assertThat(second.freshServing("writer")).hasSize(1);
    assertThat(files()).containsExactly(dir.resolve("registry.json"));
    second.close();
  }

  @Test
  void anAcknowledgedRegistrationIsOnDiskAndHeartbeatsDoNotRewriteTheFile() throws Exception {
    NodeRegistry registry = NodeRegistry.open(
        new RegistrySettings(dir, Duration.ofSeconds(30), clock, Duration.ofHours(1)), JsonLog.stdout());
    registry.register(Nodes.legacy("a", "http://h:1", "writer")).join();
    byte[] acknowledged = Files.readAllBytes(dir.resolve(RegistryFile.NAME));
    assertThat(RegistryFile.parse(acknowledged)).extracting(Node::nodeId).containsExactly("a");

    for (int i = 0; i < 100; i++) {
      clock.advance(Duration.ofSeconds(1));
      registry.heartbeat(new Heartbeat("a", new Node.Load(i, 1)));
    }
    assertThat(Files.readAllBytes(dir.resolve(RegistryFile.NAME))).isEqualTo(acknowledged);

    registry.close();
    assertThat(RegistryFile.parse(Files.readAllBytes(dir.resolve(RegistryFile.NAME))))
        .singleElement().extracting(Node::lastSeen).isEqualTo(clock.instant());
  }

  @Test
  void aHeartbeatIsSavedWithinTheDelayAndTheFileIsCompact() throws Exception {
    NodeRegistry registry = NodeRegistry.open(
        new RegistrySettings(dir, Duration.ofSeconds(30), clock, Duration.ofMillis(20)), JsonLog.stdout());
    registry.register(Nodes.legacy("a", "http://h:1", "writer")).join();
    clock.advance(Duration.ofSeconds(7));
    registry.heartbeat(new Heartbeat("a", new Node.Load(null, null)));

    Path file = dir.resolve(RegistryFile.NAME);
    Await.until("the heartbeat to be saved", () -> RegistryFile.parse(Files.readAllBytes(file)).getFirst()
        .lastSeen().equals(clock.instant()));
    assertThat(Files.readString(file)).doesNotContain("\n").doesNotContain(": ");
    registry.close();
  }

  @Test
  void aSavedNodeWhoseIdTheRuleNowRefusesIsDroppedNotTheWholeFile() throws Exception {
    String ok = NodeRegistrations.legacy("gpu-box-1", "http://10.0.0.12:8091", "writer");
    String dotted = NodeRegistrations.legacy("..", "http://10.0.0.13:8091", "writer");
    String stamps = ",\"registered_at\":\"2025-06-01T12:00:00Z\",\"last_seen\":\"2025-06-01T12:00:00Z\"}";
    Files.writeString(dir.resolve(RegistryFile.NAME), "{\"version\":1,\"saved_at\":\"2025-06-01T12:00:00Z\","
        + "\"nodes\":[" + ok.substring(0, ok.length() - 1) + stamps + ","
        + dotted.substring(0, dotted.length() - 1) + stamps + "]}");

    NodeRegistry registry = open();

    assertThat(registry.nodes()).extracting(Node::nodeId).containsExactly("gpu-box-1");
    assertThat(files()).containsExactly(dir.resolve(RegistryFile.NAME));
    registry.close();
  }

  @Test
  void deregistrationIsSavedToo() throws Exception {
    NodeRegistry first = open();
    first.register(Nodes.legacy("a", "http://h:1", "writer"));
    first.register(Nodes.legacy("b", "http://h:2", "writer"));
    first.deregister("a");
    first.close();

    assertThat(open().nodes()).extracting(Node::nodeId).containsExactly("b");
  }

  @Test
  void aMissingStateDirMeansAnEmptyRegistryAndIsCreatedOnFirstSave() throws Exception {
    Path nested = dir.resolve("not/yet");
    NodeRegistry registry =
        NodeRegistry.open(new RegistrySettings(nested, Duration.ofSeconds(30), clock), JsonLog.stdout());
    assertThat(registry.nodes()).isEmpty();

    registry.register(Nodes.legacy("a", "http://h:1", "writer"));
    registry.close();

    assertThat(nested.resolve("registry.json")).exists();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"version\":1,\"nodes\":[{\"node_id\":\"a\",\"base_u",
      "not json at all",
      "",
      "[]",
      "{\"version\":2,\"nodes\":[]}",
      "{\"version\":1}",
      "{\"version\":1,\"nodes\":[{\"node_id\":\"a\",\"base_url\":\"http://h:1\",\"roles\":[\"r\"]}]}",
      "{\"version\":1,\"nodes\":[{\"node_id\":\"a\",\"base_url\":\"http://h:1\",\"roles\":[\"r\"],"
          + "\"registered_at\":\"x\",\"last_seen\":\"2025-06-01T12:00:00Z\"}]}"})
  void anUnreadableFileIsKeptAsideAndTheRegistryStartsEmpty(String content) throws Exception {
    Files.writeString(dir.resolve("registry.json"), content);

    NodeRegistry registry = open();

    assertThat(registry.nodes()).isEmpty();
    List<Path> files = files();
    assertThat(files).singleElement().satisfies(aside -> {
      assertThat(aside.getFileName().toString()).startsWith("registry.json.corrupt-");
      assertThat(Files.readString(aside, StandardCharsets.UTF_8)).isEqualTo(content);
    });

    registry.register(Nodes.legacy("a", "http://h:1", "writer"));
    registry.close();
    assertThat(files()).hasSize(2).contains(files.getFirst(), dir.resolve("registry.json"));
  }

  @Test
  void asideFilesNeverOverwriteEachOther() throws Exception {
    Files.writeString(dir.resolve("registry.json"), "first");
    open();
    Files.writeString(dir.resolve("registry.json"), "second");
    open();

    assertThat(files()).hasSize(2).allSatisfy(path ->
        assertThat(path.getFileName().toString()).startsWith("registry.json.corrupt-"));
    assertThat(files().stream().map(RegistryFileTest::read)).containsExactlyInAnyOrder("first", "second");
  }

  @Test
  void aLeftoverTempFileFromACrashIsIgnoredAndReplaced() throws Exception {
    Files.writeString(dir.resolve("registry.json.tmp"), "{\"torn");
    NodeRegistry registry = open();
    assertThat(registry.nodes()).isEmpty();

    registry.register(Nodes.legacy("a", "http://h:1", "writer"));
    registry.close();

    assertThat(files()).containsExactly(dir.resolve("registry.json"));
    assertThat(open().nodes()).extracting(Node::nodeId).containsExactly("a");
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
