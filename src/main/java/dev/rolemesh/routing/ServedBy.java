package dev.rolemesh.routing;

import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.http.Upstream;
import io.vertx.core.http.HttpHeaders;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code X-RoleMesh-Served-By} values of one role: {@code <alias>@<node id>} for a discovered node,
 * {@code <alias>@<host>:<port>} for a fixed upstream. Each is made once (the upstream's when the config is read, a
 * node's the first time a request goes there), so a response costs one header and no string building. An alias
 * that is not plain printable ASCII, or holds {@code @} or {@code %}, is percent-encoded, so the value is always a
 * valid header and its first {@code @} always ends the alias (a node id may hold {@code @}).
 */
public final class ServedBy {

  public static final CharSequence HEADER = HttpHeaders.createOptimized("X-RoleMesh-Served-By");
  /** The value when no backend took the request: the gateway's own error, before any backend could start on it. */
  public static final CharSequence NONE = HttpHeaders.createOptimized("none");
  /** Beyond this many node ids (nodes that came and went), values are made per request instead of kept. */
  private static final int MAX_NODES = 1024;

  private final String prefix;
  private final CharSequence fixed;
  private final ConcurrentHashMap<String, CharSequence> byNode = new ConcurrentHashMap<>();

  private ServedBy(String prefix, CharSequence fixed) {
    this.prefix = prefix;
    this.fixed = fixed;
  }

  static ServedBy of(String alias, ModelTarget target) {
    String prefix = encode(alias) + "@";
    CharSequence fixed = target instanceof ModelTarget.Proxy proxy
        ? HttpHeaders.createOptimized(prefix + hostPort(proxy.baseUrl()))
        : null;
    return new ServedBy(prefix, fixed);
  }

  /** The value for a response from {@code upstream}, one of this role's backends. */
  public CharSequence of(Upstream upstream) {
    String node = upstream.nodeId();
    if (node == null) {
      return fixed;
    }
    CharSequence value = byNode.get(node);
    if (value == null) {
      value = HttpHeaders.createOptimized(prefix + node);
      if (byNode.size() < MAX_NODES) {
        byNode.putIfAbsent(node, value);
      }
    }
    return value;
  }

  private static String hostPort(URI url) {
    int port = url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    return url.getHost() + ":" + port;
  }

  static String encode(String alias) {
    StringBuilder out = new StringBuilder(alias.length());
    for (byte b : alias.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c > ' ' && c < 0x7f && c != '@' && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
