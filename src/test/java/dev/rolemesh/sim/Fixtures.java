package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import dev.rolemesh.testing.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The llama-server captures in src/test/resources/fixtures/llama-server (README.md there says how they were taken),
 * parsed. They are read from the test classpath, so the tests need nothing outside the repository.
 */
final class Fixtures {

  private static final String DIR = "/fixtures/llama-server/";

  private Fixtures() {}

  static String text(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream(DIR + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no capture " + DIR + name + " on the test classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode json(String name) {
    return parse(text(name));
  }

  /** A capture with status line and headers: {@code HTTP/1.1 200 OK\r\n...\r\n\r\nbody}. */
  static RawHttp.Response response(String name) {
    String capture = text(name);
    int split = capture.indexOf("\r\n\r\n");
    String[] lines = capture.substring(0, split).split("\r\n");
    List<String[]> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 1).strip()});
    }
    return new RawHttp.Response(Integer.parseInt(lines[0].split(" ")[1]), headers, capture.substring(split + 4));
  }

  /** The {@code data:} payloads of an SSE capture, {@code [DONE]} included. */
  static List<String> events(String name) {
    return sseEvents(text(name));
  }

  /** The {@code data:} payloads of an SSE body. */
  static List<String> sseEvents(String body) {
    return body.lines().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6)).toList();
  }

  static JsonNode parse(String json) {
    return Json.parse(json);
  }
}
