package dev.rolemesh.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Checks and normalises the base URL of an OpenAI-compatible upstream. */
public final class UpstreamUrls {

  private static final String EXAMPLE = "http://127.0.0.1:8011";

  private UpstreamUrls() {}

  /**
   * The base URL the gateway appends {@code /v1/chat/completions} and {@code /v1/models} to.
   *
   * <p>Users often paste the OpenAI-style base URL ({@code http://host:8011/v1}) where the server's root is meant,
   * so trailing slashes and trailing {@code /v1} segments are stripped: {@code http://h:8011/v1/} becomes
   * {@code http://h:8011}, {@code http://h/llm/v1} becomes {@code http://h/llm}. The result never ends with
   * {@code /} or {@code /v1}; the scheme is lower-cased, the rest kept as written.
   *
   * @param raw an http or https URL with a host, an optional port and an optional path prefix
   * @throws IllegalArgumentException with a one-line reason meant to follow a field path, if {@code raw} is not
   *     such a URL
   */
  public static URI normalize(String raw) {
    URI uri = parse(raw);
    if (uri.getRawUserInfo() != null) {
      // The value is not echoed: it holds a password.
      throw new IllegalArgumentException("must not contain user:password@ (use api_key for a Bearer token)");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "must not have a ?query or #fragment, got " + ConfigNode.describe(raw));
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new IllegalArgumentException("port must be from 1 to 65535, got " + ConfigNode.describe(raw));
    }
    String path = uri.getRawPath();
    while (path.endsWith("/") || path.endsWith("/v1")) {
      path = path.substring(0, path.length() - (path.endsWith("/") ? 1 : "/v1".length()));
    }
    return URI.create(uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority() + path);
  }

  /**
   * The URL a local client reaches a server on that listens on {@code host}: a wildcard bind address (0.0.0.0, ::)
   * is reached through 127.0.0.1, an IPv6 literal goes in brackets.
   */
  public static String localUrl(String host, int port) {
    String reachable = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    return "http://" + (reachable.contains(":") ? "[" + reachable + "]" : reachable) + ":" + port;
  }

  private static URI parse(String raw) {
    try {
      URI uri = new URI(raw);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // Reported below with the same advice as a URL that parses but is not http(s).
    }
    throw new IllegalArgumentException(
        "must be an http(s) URL like " + EXAMPLE + ", got " + ConfigNode.describe(raw));
  }
}
