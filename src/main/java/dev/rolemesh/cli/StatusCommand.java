package dev.rolemesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import dev.rolemesh.lifecycle.Signals;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
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
  /** Cursor home, then clear the screen: each picture replaces the last. */
  private static final String CLEAR = "\033[H\033[2J";

  @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8000",
      description = "The gateway (default ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--key", paramLabel = "KEY", defaultValue = "${env:ROLEMESH_CLIENT_KEY}",
      description = "A client or metrics key, when the gateway has client keys (default: $ROLEMESH_CLIENT_KEY).")
  String key;

  @Option(names = "--watch", description = "Redraw every 2 s until Ctrl-C (or SIGTERM), then exit 0.")
  boolean watch;

  @Override
  public Integer call() throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    if (watch) {
      return watch(client);
    }
    Picture picture = fetch(client);
    if (picture.error() != null) {
      System.err.println("rolemesh status: " + picture.error());
    } else {
      System.out.print(picture.table());
      System.out.flush();
    }
    return picture.exit();
  }

  /**
   * Redraws until SIGINT or SIGTERM, which end it with 0: stopping a watch is what it is for, not a failure (nor is
   * a gateway gone for a while, which the picture says until it is back). Each picture goes out in one write after
   * its answer came, so the screen is never blank while a gateway is slow to answer.
   */
  private int watch(HttpClient client) {
    Thread watcher = Thread.currentThread();
    Signals.on("INT", watcher::interrupt);
    Signals.on("TERM", watcher::interrupt);
    PrintStream out = System.out;
    try {
      while (true) {
        Picture picture = fetch(client);
        out.print(CLEAR + (picture.error() == null ? picture.table() : picture.error() + "\n")
            + "\nEvery " + WATCH_EVERY.toSeconds() + " s, last at "
            + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "; Ctrl-C stops\n");
        out.flush();
        Thread.sleep(WATCH_EVERY.toMillis());
      }
    } catch (InterruptedException stopped) {
      return 0;
    }
  }

  /** The gateway's status as a table, or why there is none; and the exit code it makes. */
  private record Picture(String table, String error, int exit) {}

  private Picture fetch(HttpClient client) throws InterruptedException {
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
      // The JDK client's connect failures often carry no message: the exception's name says enough then.
      String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
      return new Picture(null, "cannot reach " + base + ": " + why, UNREACHABLE);
    }
    if (response.statusCode() != 200) {
      JsonNode error = parse(response.body()).path("error");
      return new Picture(null, base + " answered " + response.statusCode() + ": "
          + error.path("message").asText(response.body()), UNREACHABLE);
    }
    JsonNode status = Json.parse(response.body());
    return new Picture(StatusTable.render(base, status), null,
        StatusTable.defaultRoleCanServe(status) ? 0 : CANNOT_SERVE);
  }

  private static JsonNode parse(String body) {
    try {
      return Json.parse(body);
    } catch (RuntimeException e) {
      return Json.object();
    }
  }
}
