package dev.rolemesh.proxy;

import io.vertx.core.MultiMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the gateway. Hop-by-hop headers (RFC 9110 section 7.6.1) belong to one connection and are
 * never copied; neither are the caller's credentials, which are for the gateway and must not reach a backend.
 */
final class HopHeaders {

  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
      "trailer", "trailers", "transfer-encoding", "upgrade");

  /** Set by the gateway itself for the upstream hop, so the client's values are not copied. */
  private static final Set<String> REQUEST_OWN = Set.of(
      "host", "content-length", "expect", "authorization", "x-api-key", "x-rolemesh-node-key", "x-request-id");

  /** An upstream that is itself a RoleMesh gateway says what served it there; this gateway says what served here. */
  private static final Set<String> RESPONSE_OWN = Set.of("content-length", "x-request-id", "x-rolemesh-served-by");

  private HopHeaders() {}

  /** Adds the client's end-to-end headers to the upstream request's own. */
  static void copyForUpstream(MultiMap clientHeaders, MultiMap upstreamHeaders) {
    copy(clientHeaders, upstreamHeaders, REQUEST_OWN);
  }

  /** Adds the upstream's end-to-end headers to the client response's own. */
  static void copyForClient(MultiMap upstreamHeaders, MultiMap clientHeaders) {
    copy(upstreamHeaders, clientHeaders, RESPONSE_OWN);
  }

  // Straight into the destination: the headers of a request on the wire are validated on every add, so an
  // intermediate map would double that cost on each request.
  private static void copy(MultiMap from, MultiMap to, Set<String> own) {
    Set<String> named = namedInConnection(from.get("Connection"));
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(name) && !own.contains(name) && !named.contains(name)) {
        to.add(header.getKey(), header.getValue());
      }
    }
  }

  /** A Connection header may name further headers that are hop-by-hop for this one connection. */
  private static Set<String> namedInConnection(String connection) {
    if (connection == null || connection.isBlank()) {
      return Set.of();
    }
    String[] names = connection.toLowerCase(Locale.ROOT).split(",");
    java.util.HashSet<String> set = new java.util.HashSet<>();
    for (String name : names) {
      set.add(name.trim());
    }
    return set;
  }
}
