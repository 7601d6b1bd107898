package dev.rolemesh.proxy;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the gateway. Hop-by-hop headers (RFC 9110 section 7.6.1) belong to one connection and are
 * never copied; neither are the caller's credentials, which are for the gateway and must not reach a backend.
 */
final class HopHeaders {

  private static final List<String> HOP_BY_HOP = List.of(
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
      "trailer", "trailers", "transfer-encoding", "upgrade");

  private static final Names HOP_BY_HOP_NAMES = new Names(HOP_BY_HOP);

  /** Set by the gateway itself for the upstream hop, so the client's values are not copied. */
  private static final Names REQUEST_OWN = new Names(HOP_BY_HOP,
      "host", "content-length", "expect", "authorization", "x-api-key", "x-rolemesh-node-key", "x-request-id");

  /** An upstream that is itself a RoleMesh gateway says what served it there; this gateway says what served here. */
  private static final Names RESPONSE_OWN =
      new Names(HOP_BY_HOP, "content-length", "x-request-id", "x-rolemesh-served-by");

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
  private static void copy(MultiMap from, MultiMap to, Names skipped) {
    Set<String> named = namedInConnection(from.get("Connection"));
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey();
      if (!skipped.contains(name) && (named.isEmpty() || !named.contains(name.toLowerCase(Locale.ROOT)))) {
        to.add(name, header.getValue());
      }
    }
  }

  /**
   * Header names matched without regard to case and without a lower-cased copy of each name: every header of every
   * request and response passes here. Names are grouped by length, so most headers are ruled out by one array read.
   */
  private static final class Names {
    private final String[][] byLength = new String[32][];

    Names(List<String> common, String... own) {
      List<String> all = new ArrayList<>(common);
      all.addAll(List.of(own));
      for (String name : all) {
        String[] same = byLength[name.length()];
        String[] grown = same == null ? new String[1] : Arrays.copyOf(same, same.length + 1);
        grown[grown.length - 1] = name;
        byLength[name.length()] = grown;
      }
    }

    boolean contains(String name) {
      String[] same = name.length() < byLength.length ? byLength[name.length()] : null;
      if (same != null) {
        for (String candidate : same) {
          if (candidate.equalsIgnoreCase(name)) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /**
   * A Connection header may name further headers that are hop-by-hop for this one connection. Its usual values
   * ({@code keep-alive}, {@code close}) name none that is not dropped already, and give the empty set.
   */
  private static Set<String> namedInConnection(String connection) {
    if (connection == null || connection.isBlank()) {
      return Set.of();
    }
    Set<String> named = new HashSet<>();
    for (String name : connection.split(",")) {
      String trimmed = name.trim();
      if (!trimmed.equalsIgnoreCase("close") && !HOP_BY_HOP_NAMES.contains(trimmed)) {
        named.add(trimmed.toLowerCase(Locale.ROOT));
      }
    }
    return named.isEmpty() ? Set.of() : named;
  }
}
