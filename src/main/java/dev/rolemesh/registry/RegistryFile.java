package dev.rolemesh.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.http.NodeIds;
import dev.rolemesh.observability.JsonLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The registry's state file, {@code <state dir>/registry.json}. Blocking I/O: call it from a worker or the saver
 * thread, never from an event loop.
 *
 * <p>A save writes a temporary file beside the real one, forces it to disk, renames it over the real one and
 * forces the directory, so after a crash at any instant the file holds the previous or the new registry, whole.
 * A file that cannot be read back is moved aside, never deleted: it may be the only record of the nodes.
 */
final class RegistryFile {

  static final String NAME = "registry.json";
  static final int FORMAT_VERSION = 1;
  private static final DateTimeFormatter ASIDE_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final Path path;
  private final Path temp;
  private final JsonLog log;

  RegistryFile(Path stateDir, JsonLog log) {
    // Absolute, so the directory to create and force always has a name (even for a state dir given as "").
    Path dir = stateDir.toAbsolutePath();
    this.path = dir.resolve(NAME);
    this.temp = dir.resolve(NAME + ".tmp");
    this.log = log;
  }

  Path path() {
    return path;
  }

  /** The saved nodes; none when there is no file yet, or when it is unreadable (then it is moved aside). */
  List<Node> load() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      return unusable("cannot be read: " + e);
    }
    try {
      List<String> refused = new ArrayList<>();
      List<Node> nodes = parse(bytes, refused::add);
      if (!refused.isEmpty()) {
        log.warn("registry_ids_refused", "Dropped " + refused.size() + " node(s) from " + path + " whose node_id "
            + NodeIds.RULE + " (they could not heartbeat or be deregistered); they must register under a new id",
            "node_ids", refused);
      }
      return nodes;
    } catch (NodeJson.Invalid e) {
      String where = e.param() == null ? "" : " at '" + e.param() + "'";
      return unusable("is not a valid registry" + where + ": " + e.getMessage());
    }
  }

  void write(List<Node> nodes) throws IOException {
    ObjectNode root = NodeJson.JSON.createObjectNode();
    root.put("version", FORMAT_VERSION);
    root.put("saved_at", Instant.now().toString());
    ArrayNode array = root.putArray("nodes");
    nodes.forEach(node -> array.add(NodeJson.write(node)));
    byte[] bytes = NodeJson.JSON.writeValueAsBytes(root);

    Files.createDirectories(path.getParent());
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory();
  }

  static List<Node> parse(byte[] bytes) throws NodeJson.Invalid {
    return parse(bytes, refused -> {});
  }

  /**
   * @param refusedIds told each saved node_id that today's rule refuses (saved before the rule existed): such a
   *     node is left out rather than the whole file set aside
   */
  static List<Node> parse(byte[] bytes, Consumer<String> refusedIds) throws NodeJson.Invalid {
    JsonNode root = NodeJson.object(bytes);
    JsonNode version = root.get("version");
    if (version == null || !version.isInt() || version.asInt() != FORMAT_VERSION) {
      throw NodeJson.Invalid.field("version", "expected version " + FORMAT_VERSION + ", got " + version);
    }
    JsonNode nodes = root.get("nodes");
    if (nodes == null || !nodes.isArray()) {
      throw NodeJson.Invalid.field("nodes", "'nodes' must be a list");
    }
    List<Node> parsed = new ArrayList<>();
    for (JsonNode node : nodes) {
      JsonNode id = node.path("node_id");
      if (id.isTextual() && !id.asText().isEmpty() && NodeIds.problem(id.asText()) != null) {
        refusedIds.accept(id.asText());
        continue;
      }
      parsed.add(NodeJson.read(node));
    }
    return parsed;
  }

  /** The rename must itself be durable, or a crash right after a save could bring back the older file. */
  private void forceDirectory() {
    try (FileChannel dir = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory; the rename is still atomic there, only its durability is weaker.
    }
  }

  private List<Node> unusable(String problem) {
    Path aside = moveAside();
    log.warn("registry_unreadable", "The node registry file " + path + " " + problem + "; starting with no"
            + " registered nodes (a heartbeat from one of them gets 404 unknown_node, its cue to register again). "
            + (aside != null ? "The bad file was kept as " + aside : "The bad file could not be moved aside"),
        "path", path.toString(), "kept_as", aside == null ? null : aside.toString());
    return List.of();
  }

  private Path moveAside() {
    String base = path.getFileName() + ".corrupt-" + ASIDE_STAMP.format(Instant.now());
    for (int attempt = 0; attempt < 100; attempt++) {
      Path aside = path.resolveSibling(attempt == 0 ? base : base + "-" + attempt);
      try {
        // No ATOMIC_MOVE: on Linux it would silently replace an earlier aside file.
        Files.move(path, aside);
        return aside;
      } catch (FileAlreadyExistsException e) {
        // Moved aside before within the same second: try the next suffix.
      } catch (IOException e) {
        return null;
      }
    }
    return null;
  }
}
