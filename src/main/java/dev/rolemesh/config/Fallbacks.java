package dev.rolemesh.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and checks {@code models.<alias>.fallbacks}. Each entry must be another configured alias, listed once, and
 * following fallbacks from any model must never come back to it: a chain that loops is a mistake in the config, and
 * one would make the order a request takes through it depend on where it entered.
 */
final class Fallbacks {

  private Fallbacks() {}

  /** The list as written (unset: none); aliases are checked by {@link #check} once every model is known. */
  static List<String> read(ConfigNode node) throws ConfigException {
    return node.readOr(List.of(), ConfigNode::asStringList);
  }

  /**
   * @param nodes each alias's {@code fallbacks} node, in config order
   * @param models every configured model, holding the lists {@link #read} gave
   */
  static void check(Map<String, ConfigNode> nodes, Map<String, ModelConfig> models) throws ConfigException {
    for (ModelConfig model : models.values()) {
      List<String> fallbacks = model.fallbacks();
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < fallbacks.size(); i++) {
        String fallback = fallbacks.get(i);
        if (fallback.equals(model.alias())) {
          throw entry(nodes, model.alias(), i).error("a model cannot be its own fallback");
        }
        if (!models.containsKey(fallback)) {
          throw entry(nodes, model.alias(), i).error("is not a model alias (" + String.join(", ", models.keySet())
              + "), got " + ConfigNode.describe(fallback));
        }
        if (!seen.add(fallback)) {
          throw entry(nodes, model.alias(), i).error(ConfigNode.describe(fallback) + " is listed twice");
        }
      }
    }
    Set<String> done = new HashSet<>();
    for (String alias : models.keySet()) {
      walk(alias, new ArrayList<>(), done, nodes, models);
    }
  }

  /** Depth first from {@code alias}; {@code path} holds the aliases on the way here, each followed by its entry. */
  private static void walk(String alias, List<String> path, Set<String> done, Map<String, ConfigNode> nodes,
      Map<String, ModelConfig> models) throws ConfigException {
    if (done.contains(alias)) {
      return;
    }
    path.add(alias);
    List<String> fallbacks = models.get(alias).fallbacks();
    for (int i = 0; i < fallbacks.size(); i++) {
      String next = fallbacks.get(i);
      int loopStart = path.indexOf(next);
      if (loopStart >= 0) {
        List<String> loop = new ArrayList<>(path.subList(loopStart, path.size()));
        loop.add(next);
        throw entry(nodes, alias, i).error(ConfigNode.describe(next) + " leads back to itself: "
            + String.join(" -> ", loop) + " (a fallback chain must not loop)");
      }
      walk(next, path, done, nodes, models);
    }
    path.removeLast();
    done.add(alias);
  }

  private static ConfigNode entry(Map<String, ConfigNode> nodes, String alias, int index) throws ConfigException {
    return nodes.get(alias).asList().get(index);
  }
}
