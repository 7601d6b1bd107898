package dev.rolemesh.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads one YAML file into plain values: {@code LinkedHashMap<String, Object>} in file order, {@code ArrayList},
 * {@code String}, {@code Integer}/{@code Long}/{@code BigInteger}, {@code Double}, {@code Boolean} and {@code null}.
 */
final class YamlFiles {

  // The core schema is the closest YAML 1.2 schema to the PyYAML the original RoleMesh used: ~ and Null are null,
  // True is a boolean. Duplicate keys stay an error (the engine's default) because the second one silently winning
  // hides typos.
  private static final LoadSettings SETTINGS = LoadSettings.builder().setSchema(new CoreSchema()).build();

  private YamlFiles() {}

  /** Reads a file whose top level is a mapping; an empty file (or one with only comments) reads as no keys. */
  static Map<String, Object> readMapping(Path file) throws ConfigException {
    Object document = parse(file, read(file));
    if (document == null) {
      return new LinkedHashMap<>();
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new ConfigException(
          file + ": the top level must be a mapping of keys like models:, got " + ConfigNode.describe(document));
    }
    return normalizeMap(file, FieldPath.ROOT, map, Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static byte[] read(Path file) throws ConfigException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read file (" + reason(e) + ")", e);
    }
  }

  // NIO puts only the path in these exceptions' messages; say what went wrong instead.
  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "No such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "Permission denied";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  // Bytes rather than a String so the engine can honour a byte-order mark, as editors on Windows write one.
  private static Object parse(Path file, byte[] bytes) throws ConfigException {
    try {
      return new Load(SETTINGS).loadFromInputStream(new ByteArrayInputStream(bytes));
    } catch (MarkedYamlEngineException e) {
      String where = e.getProblemMark()
          .map(mark -> "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ")
          .orElse("");
      String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
      throw new ConfigException(file + ": " + where + syntax(file) + e.getProblem() + context, e);
    } catch (YamlEngineException e) {
      throw new ConfigException(file + ": " + syntax(file) + e.getMessage(), e);
    }
  }

  // JSON is YAML, so a .json config is read by the same parser; its author should still hear about JSON.
  private static String syntax(Path file) {
    return file.toString().endsWith(".json") ? "invalid JSON: " : "invalid YAML: ";
  }

  /** @param enclosing the collections being copied around this one, to catch an alias that contains itself */
  private static Map<String, Object> normalizeMap(Path file, FieldPath path, Map<?, ?> map, Set<Object> enclosing)
      throws ConfigException {
    enter(file, path, map, enclosing);
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      Object key = entry.getKey();
      if (key instanceof Map<?, ?> || key instanceof List<?>) {
        throw new ConfigException(
            ConfigSources.message(file, path, "a key must be a plain value, got " + ConfigNode.describe(key)));
      }
      // YAML allows `8011:` or `true:` as keys; config paths and JSON bodies need strings.
      String name = String.valueOf(key);
      out.put(name, normalize(file, path.key(name), entry.getValue(), enclosing));
    }
    enclosing.remove(map);
    return out;
  }

  // An anchor used inside its own value (a: &x [*x]) builds a cyclic structure no later step could walk.
  private static void enter(Path file, FieldPath path, Object collection, Set<Object> enclosing)
      throws ConfigException {
    if (!enclosing.add(collection)) {
      throw new ConfigException(ConfigSources.message(file, path, "an alias may not refer to a value containing it"));
    }
  }

  private static Object normalize(Path file, FieldPath path, Object value, Set<Object> enclosing)
      throws ConfigException {
    if (value instanceof Map<?, ?> map) {
      return normalizeMap(file, path, map, enclosing);
    }
    if (value instanceof List<?> list) {
      enter(file, path, list, enclosing);
      List<Object> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        out.add(normalize(file, path.index(i), list.get(i), enclosing));
      }
      enclosing.remove(list);
      return out;
    }
    if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    // Explicit tags such as !!binary or !!set build values no config field or JSON body can carry.
    throw new ConfigException(ConfigSources.message(
        file, path, "unsupported YAML value of type " + value.getClass().getSimpleName()));
  }
}
