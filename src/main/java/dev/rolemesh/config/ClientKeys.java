package dev.rolemesh.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads {@code auth.client_api_keys}: each entry a plain key or a mapping with a name, a scope and limits. */
final class ClientKeys {

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final int MAX_LIMIT = 1_000_000_000;

  private ClientKeys() {}

  static ClientKey plain(String key, int index) {
    return new ClientKey(sha256Hex(key), defaultName(index), null, 0, 0, 0);
  }

  /** @param aliases the configured model aliases, which a key's {@code roles} must name */
  static List<ClientKey> read(ConfigNode node, Set<String> aliases) throws ConfigException {
    List<ClientKey> keys = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    Map<String, String> digests = new HashMap<>();
    if (!node.isNull() && !node.isList()) {
      throw node.error("must be a list of keys, each a string or a mapping like {key_sha256: ..., name: ci,"
          + " roles: [planner], rpm: 60}, got " + ConfigNode.describe(node.value()));
    }
    List<ConfigNode> items = node.readOr(List.of(), ConfigNode::asList);
    for (int i = 0; i < items.size(); i++) {
      ConfigNode item = items.get(i);
      ClientKey key = item.isMap() ? mapping(item, i, aliases) : plain(item.asNonBlankString(), i);
      String sameName = names.putIfAbsent(key.name(), item.path().toString());
      if (sameName != null) {
        throw item.error("name \"" + key.name() + "\" is already used by " + sameName);
      }
      String sameKey = digests.putIfAbsent(key.sha256(), item.path().toString());
      if (sameKey != null) {
        throw item.error("the same key as " + sameKey + " (a key can have only one name and policy)");
      }
      keys.add(key);
    }
    return List.copyOf(keys);
  }

  private static ClientKey mapping(ConfigNode node, int index, Set<String> aliases) throws ConfigException {
    ConfigMap entry = node.asMap();
    ConfigNode key = entry.get("key");
    ConfigNode digest = entry.get("key_sha256");
    if (key.isNull() == digest.isNull()) {
      throw node.error("needs exactly one of key or key_sha256 (the hex SHA-256 of the key, as printed by"
          + " printf %s \"$KEY\" | sha256sum)");
    }
    String sha256;
    if (key.isNull()) {
      String hex = digest.asNonBlankString().strip();
      if (!SHA256_HEX.matcher(hex).matches()) {
        throw digest.error("must be 64 hex digits (a SHA-256), got " + ConfigNode.describe(hex));
      }
      sha256 = hex.toLowerCase(Locale.ROOT);
    } else {
      sha256 = sha256Hex(key.asNonBlankString());
    }
    ClientKey out = new ClientKey(sha256,
        entry.get("name").readOr(defaultName(index), ConfigNode::asNonBlankString),
        entry.get("roles").readOr(null, roles -> roles(roles, aliases)),
        entry.get("rpm").readOr(0, limit -> limit.asInt(1, MAX_LIMIT)),
        entry.get("tpm").readOr(0, limit -> limit.asInt(1, MAX_LIMIT)),
        entry.get("max_concurrent").readOr(0, limit -> limit.asInt(1, MAX_LIMIT)));
    entry.warnUnknownKeys();
    return out;
  }

  private static Set<String> roles(ConfigNode node, Set<String> aliases) throws ConfigException {
    List<String> roles = node.asStringList();
    for (int i = 0; i < roles.size(); i++) {
      if (!aliases.contains(roles.get(i))) {
        throw node.asList().get(i).error("is not a model alias (" + String.join(", ", aliases) + "), got "
            + ConfigNode.describe(roles.get(i)));
      }
    }
    return Set.copyOf(new LinkedHashSet<>(roles));
  }

  private static String defaultName(int index) {
    return "client_api_keys[" + index + "]";
  }

  static String sha256Hex(String key) {
    return HexFormat.of().formatHex(ClientKey.sha256(key));
  }
}
