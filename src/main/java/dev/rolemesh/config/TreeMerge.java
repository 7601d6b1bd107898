package dev.rolemesh.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Lays an override tree over a base tree: mappings merge key by key, anything else in the override (lists,
 * scalars, an explicit {@code null}) replaces the base value whole. This lets a local file change one
 * {@code proxy_url} without restating its model, while a key list is never half-replaced.
 */
final class TreeMerge {

  private TreeMerge() {}

  /**
   * Returns a new tree; the inputs are left as they were. Keys keep the base file's order, keys new in the
   * override follow in its order.
   *
   * @param replaced told each path whose value now comes wholly from the override
   */
  static Map<String, Object> merge(
      Map<String, Object> base, Map<String, Object> override, Consumer<FieldPath> replaced) {
    return merge(base, override, FieldPath.ROOT, replaced);
  }

  private static Map<String, Object> merge(
      Map<String, Object> base, Map<String, Object> override, FieldPath path, Consumer<FieldPath> replaced) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    override.forEach((key, value) -> {
      FieldPath at = path.key(key);
      if (out.get(key) instanceof Map<?, ?> baseMap && value instanceof Map<?, ?> overrideMap) {
        out.put(key, merge(asTree(baseMap), asTree(overrideMap), at, replaced));
      } else {
        out.put(key, value);
        replaced.accept(at);
      }
    });
    return out;
  }

  // YamlFiles builds every mapping with String keys, so this cast only restores what the wildcard forgot.
  @SuppressWarnings("unchecked")
  private static Map<String, Object> asTree(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }
}
