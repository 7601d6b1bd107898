package dev.rolemesh.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The part of config loading that knows nothing about the gateway: read a YAML file, lay an optional override file
 * over it, expand {@code ${ENV}} references, and hand back the root for a binder to read with field paths. The
 * gateway's {@link ConfigLoader} and the node agent share it.
 */
public final class ConfigTreeLoader {

  private ConfigTreeLoader() {}

  /**
   * @param overrideOrNull merged over {@code config}: mappings merge key by key; lists, scalars and an explicit
   *     {@code null} replace
   * @param env the environment to expand references from, passed in so tests need not touch the real one
   * @param warnings receives one-line warnings about ignored content
   * @return the root mapping; interpolation runs after merging, so a variable used only by an overridden value need
   *     not be set
   */
  public static ConfigNode load(
      Path config, Path overrideOrNull, Map<String, String> env, Consumer<String> warnings)
      throws ConfigException {
    Map<String, Object> tree = YamlFiles.readMapping(config);
    Set<FieldPath> fromOverride = new HashSet<>();
    if (overrideOrNull != null) {
      tree = TreeMerge.merge(tree, YamlFiles.readMapping(overrideOrNull), fromOverride::add);
    }
    ConfigSources sources = new ConfigSources(config, overrideOrNull, fromOverride, warnings);
    return new ConfigNode(sources, FieldPath.ROOT, EnvInterpolation.expand(tree, env, sources));
  }
}
