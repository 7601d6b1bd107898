package dev.rolemesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rolemesh status}: the dashboard's picture as a terminal table, from the gateway's {@code GET /v1/status}.
 * Exits 0 when the default role can serve, 1 when it cannot, 3 when the gateway cannot be reached or refuses the
 * key, so a script can gate on it.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show a running gateway's roles, nodes and recent errors; exit 1 when the default role cannot serve.")
final class StatusCommand implements Callable<Integer> {

  static final int CANNOT_SERVE = 1;
  static final int UNREACHABLE = 3;
  private static final Duration WATCH_EVERY = Duration.ofSeconds(2);

  @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8000",
      description = "The gateway (default ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--key", paramLabel = "KEY", defaultValue = "${env:ROLEMESH_CLIENT_KEY}",
      description = "A client or metrics key, when the gateway has client keys (default: $ROLEMESH_CLIENT_KEY).")
  String key;

  @Option(names = "--watch", description = "Redraw every 2 s until interrupted.")
  boolean watch;

  @Override
  public Integer call() throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    PrintStream out = System.out;
    while (true) {
      int code = once(client, out);
      if (!watch) {
        return code;
      }
      Thread.sleep(WATCH_EVERY.toMillis());
      out.print("\033[H\033[2J");
    }
  }

  private int once(HttpClient client, PrintStream out) throws InterruptedException {
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/status"))
        .timeout(Duration.ofSeconds(10));
    if (key != null && !key.isBlank()) {
      request.header("Authorization", "Bearer " + key.strip());
    }
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("rolemesh status: cannot reach " + base + ": " + e);
      return UNREACHABLE;
    }
    if (response.statusCode() != 200) {
      JsonNode error = parse(response.body()).path("error");
      System.err.println("rolemesh status: " + base + " answered " + response.statusCode() + ": "
          + error.path("message").asText(response.body()));
      return UNREACHABLE;
    }
    JsonNode status = Json.parse(response.body());
    out.print(StatusTable.render(base, status));
    out.flush();
    return StatusTable.defaultRoleCanServe(status) ? 0 : CANNOT_SERVE;
  }

  private static JsonNode parse(String body) {
    try {
      return Json.parse(body);
    } catch (RuntimeException e) {
      return Json.object();
    }
  }
}
