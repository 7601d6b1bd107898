package dev.rolemesh.config;

import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Names the file a merged value came from, so that an error in a value set by the override file points at the
 * override file rather than at the base the user did not touch, and formats every message as one line.
 */
final class ConfigSources {

  private final Path base;
  private final Path override;
  private final Set<FieldPath> fromOverride;
  private final Consumer<String> warnings;

  /**
   * @param fromOverride paths whose whole value the override file supplied; everything below them is its too
   */
  ConfigSources(Path base, Path override, Set<FieldPath> fromOverride, Consumer<String> warnings) {
    this.base = base;
    this.override = override;
    this.fromOverride = Set.copyOf(fromOverride);
    this.warnings = warnings;
  }

  static String message(Path file, FieldPath path, String message) {
    return path.isRoot() ? file + ": " + message : file + ": " + path + ": " + message;
  }

  Path fileOf(FieldPath path) {
    for (FieldPath p = path; p != null; p = p.parent()) {
      if (fromOverride.contains(p)) {
        return override;
      }
    }
    return base;
  }

  ConfigException error(FieldPath path, String message) {
    return new ConfigException(message(fileOf(path), path, message));
  }

  void warn(FieldPath path, String message) {
    warnings.accept(message(fileOf(path), path, message));
  }

  /** @param suggestion the known key the unknown one is closest to, or null */
  void warnUnknownKey(FieldPath path, String suggestion) {
    warnings.accept(fileOf(path) + ": unknown key " + path
        + (suggestion == null ? " (ignored)" : " (ignored; did you mean " + suggestion + "?)"));
  }
}
