package dev.rolemesh.config;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A mapping in a config tree that remembers which keys the binder asked for, so that every other key can be
 * reported as unknown: a misspelt optional key would otherwise be silently ignored. Unknown keys are warnings, not
 * errors, so a config written for a newer or older gateway still loads.
 */
public final class ConfigMap {

  private final ConfigNode node;
  private final Map<String, Object> entries;
  private final Set<String> asked = new HashSet<>();

  ConfigMap(ConfigNode node, Map<?, ?> entries) {
    this.node = node;
    Map<String, Object> copy = new LinkedHashMap<>();
    entries.forEach((key, value) -> copy.put((String) key, value));
    this.entries = copy;
  }

  /**
   * The value under {@code key}, a null node if absent; the key counts as known from now on. An absent key remembers
   * a key of this mapping that looks like a misspelling of it, so that "required" errors can name both.
   */
  public ConfigNode get(String key) {
    asked.add(key);
    ConfigNode child = node.child(node.path().key(key), entries.get(key));
    if (!entries.containsKey(key)) {
      KeySuggestions.closest(key, entries.keySet().stream().filter(other -> !asked.contains(other)).toList())
          .ifPresent(typo -> child.misspeltAs(node.path().key(typo)));
    }
    return child;
  }

  /** Whether {@code key} is written in the file at all, even as {@code null}; the key counts as known. */
  public boolean has(String key) {
    asked.add(key);
    return entries.containsKey(key);
  }

  /** The keys in file order, for mappings whose keys are names the user chose (model aliases). */
  public Set<String> keys() {
    return Collections.unmodifiableSet(entries.keySet());
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * Sends a warning for each key nobody asked for, with the known key it is closest to, if any; call it once the
   * mapping has been read.
   */
  public void warnUnknownKeys() {
    for (String key : entries.keySet()) {
      if (!asked.contains(key)) {
        node.warnUnknownKey(node.path().key(key), KeySuggestions.closest(key, asked).orElse(null));
      }
    }
  }
}
