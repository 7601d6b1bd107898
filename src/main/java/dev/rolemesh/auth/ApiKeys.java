package dev.rolemesh.auth;

import dev.rolemesh.config.ClientKey;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;

/**
 * A set of accepted keys. Keys are compared as SHA-256 digests with {@link MessageDigest#isEqual}, over every
 * configured key without stopping early, so neither the position of a match nor a key's length leaks through timing.
 * Only digests are kept, which is also what lets a config give {@code key_sha256} instead of the key.
 *
 * <p>A matched key becomes the {@link Principal} configured for it: its name (never the key, since the name goes to
 * logs and metrics) and, for client keys, its policy.
 */
public final class ApiKeys {

  private final List<byte[]> digests;
  private final List<Principal> principals;

  private ApiKeys(List<byte[]> digests, List<Principal> principals) {
    this.digests = digests;
    this.principals = principals;
  }

  /** @param label the config key the keys came from, e.g. {@code node_api_keys}: a match is named by its place */
  public ApiKeys(String label, List<String> keys) {
    this(keys.stream().map(ClientKey::sha256).toList(),
        IntStream.range(0, keys.size()).mapToObj(i -> new Principal(label + "[" + i + "]", null)).toList());
  }

  public ApiKeys(List<String> keys) {
    this("key", keys);
  }

  /**
   * Client keys with their names; with a clock, each also with its policy (its own counters). Without one the
   * callers are only named, as for the node list, where scopes and limits do not apply.
   */
  public static ApiKeys clients(List<ClientKey> keys, LongSupplier clockOrNull) {
    return clients(keys, clockOrNull, Map.of());
  }

  /**
   * @param carried policies of the previous config by their key entry: an entry that did not change keeps its
   *     counters across a config swap, so a reload neither resets a key's limits nor lets it start over
   */
  static ApiKeys clients(List<ClientKey> keys, LongSupplier clockOrNull, Map<ClientKey, KeyPolicy> carried) {
    return new ApiKeys(keys.stream().map(key -> HexFormat.of().parseHex(key.sha256())).toList(),
        keys.stream().map(key -> new Principal(key.name(),
            clockOrNull == null || key.roles() == null && !key.limited()
                ? null
                : carried.containsKey(key) ? carried.get(key) : new KeyPolicy(key, clockOrNull)))
            .toList());
  }

  /** The policies these keys carry, by their entry. */
  Map<ClientKey, KeyPolicy> policies() {
    Map<ClientKey, KeyPolicy> out = new HashMap<>();
    principals.stream().map(Principal::policy).filter(Objects::nonNull).forEach(policy -> out.put(policy.key(), policy));
    return out;
  }

  /** An empty set means this kind of caller needs no key at all. */
  public boolean required() {
    return !digests.isEmpty();
  }

  public boolean matches(String presented) {
    return match(presented) != null;
  }

  /** The caller holding {@code presented}, or null when it is none of these keys. */
  public Principal match(String presented) {
    if (presented == null) {
      return null;
    }
    byte[] candidate = ClientKey.sha256(presented);
    int found = -1;
    for (int i = 0; i < digests.size(); i++) {
      if (MessageDigest.isEqual(digests.get(i), candidate) & found < 0) {
        found = i;
      }
    }
    return found < 0 ? null : principals.get(found);
  }
}
