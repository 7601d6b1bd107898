package dev.rolemesh.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Request paths as the gateway accepts them. Only canonical paths are routed: a path with a dot segment, an empty
 * segment ({@code //}), a backslash, or an encoded slash, dot or backslash is refused before routing, because the
 * router would resolve it one way and the upstream (which gets the path under its {@code proxy_url} prefix) might
 * resolve it another: {@code /../v1/chat/completions} must never reach a backend as {@code /pfx/../v1/...}.
 */
public final class RequestPaths {

  private static final Pattern PATH_PARAM = Pattern.compile(":[A-Za-z_][A-Za-z0-9_]*");

  private RequestPaths() {}

  /** What makes the raw path (as sent, before any decoding) non-canonical, or null when it is canonical. */
  public static String problem(String rawPath) {
    if (rawPath == null || !rawPath.startsWith("/")) {
      return "it does not start with /";
    }
    if (rawPath.indexOf('\\') >= 0) {
      return "it contains a backslash";
    }
    String lower = rawPath.toLowerCase(Locale.ROOT);
    if (lower.contains("%2f") || lower.contains("%5c")) {
      return "it contains an encoded slash or backslash";
    }
    if (lower.contains("%2e")) {
      return "it contains an encoded dot";
    }
    if (rawPath.contains("//")) {
      return "it contains an empty segment (//)";
    }
    for (String segment : rawPath.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return "it contains a dot segment (" + segment + ")";
      }
    }
    return null;
  }

  /**
   * The methods some route accepts on the path, for the {@code Allow} header of a 405 ({@code GET, HEAD}). Only
   * runs on a 405, so reading the route table is fine.
   */
  public static String allowedMethods(List<Route> routes, String path) {
    TreeSet<String> allowed = new TreeSet<>();
    for (Route route : routes) {
      if (route.methods() != null && matches(route, path)) {
        route.methods().stream().map(HttpMethod::name).forEach(allowed::add);
      }
    }
    return String.join(", ", allowed);
  }

  private static boolean matches(Route route, String path) {
    if (!route.isRegexPath()) {
      // A wildcard route ("/v1/*") keeps its prefix, slash included, as its path.
      String routePath = route.getPath();
      return routePath != null && (routePath.equals(path) || routePath.endsWith("/") && path.startsWith(routePath));
    }
    // A regex route's name is its pattern; a path with :params is a regex route too.
    String pattern = route.getName();
    return pattern != null && Pattern.compile(PATH_PARAM.matcher(pattern).replaceAll("[^/]+")).matcher(path).matches();
  }
}
