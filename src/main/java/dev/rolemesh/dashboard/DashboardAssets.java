package dev.rolemesh.dashboard;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The dashboard's three files, read from the jar once and served from memory: no CDN, no file cache, so it works
 * offline and the same from a jar as from a build tree. They hold no data (the page fetches the status API with the
 * key it asks for), so they need no key themselves.
 */
public final class DashboardAssets {

  private record Asset(Buffer bytes, String contentType) {}

  private static final Map<String, Asset> FILES = Map.of(
      "", load("index.html", "text/html; charset=utf-8"),
      "app.js", load("app.js", "text/javascript; charset=utf-8"),
      "style.css", load("style.css", "text/css; charset=utf-8"));

  private DashboardAssets() {}

  /** {@code GET /ui/<name>}; {@code /ui} itself is redirected to {@code /ui/} so relative links resolve. */
  public static void serve(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path.equals("/ui")) {
      ctx.response().setStatusCode(301).putHeader("Location", "/ui/").end();
      return;
    }
    Asset asset = FILES.get(path.substring("/ui/".length()));
    if (asset == null) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("Content-Type", asset.contentType()).putHeader("Cache-Control", "no-cache")
        .end(asset.bytes());
  }

  private static Asset load(String name, String contentType) {
    try (InputStream in = DashboardAssets.class.getResourceAsStream("ui/" + name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard file missing from the jar: " + name);
      }
      return new Asset(Buffer.buffer(in.readAllBytes()), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
