package dev.rolemesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import dev.rolemesh.sim.FailureMode;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.HttpCalls;
import dev.rolemesh.testing.JavaProcess;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.ScrapedMetrics;
import dev.rolemesh.testing.TestGateway;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway process reloading its config and stopping, with streams open through it: nothing in flight is cut
 * by a reload, and a stop cuts only what outlives the grace period, saying that the gateway did it.
 */
class GatewayLifecycleTest {

  /** Streams long enough to be open through a reload or a drain, whatever the machine's load: 300 × 50 ms. */
  private static final int LONG_TOKENS = 300;
  private static final int SHORT_TOKENS = 20;

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Simulator sim;
  private JavaProcess gateway;
  private String url;

  @BeforeEach
  void simulator() {
    sim = Await.result(Simulator.start(vertx, new SimOptions("127.0.0.1", 0, null, null, 4096, 128, true, false,
        false, false, SHORT_TOKENS, 50, 0, 0.0, 0, FailureMode.NONE, false)));
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    client.close();
    Await.result(vertx.close());
  }

  @Test
  void aReloadWhileFiftyStreamsAreOpenCutsNoneAndServesTheNewRoleAtOnce() throws Exception {
    start(config("planner", ""), "--watch");
    List<Stream> streams = open(50, "planner", LONG_TOKENS);

    Files.writeString(dir.resolve("gateway.yaml"), config("planner", "writer"));
    String reloaded = gateway.awaitLine(event("reloaded"));

    assertThat(Json.parse(reloaded).path("added").toString()).isEqualTo("[\"writer\"]");
    assertThat(post("writer", SHORT_TOKENS, false).statusCode()).isEqualTo(200);
    for (Stream stream : streams) {
      assertThat(stream.finish()).endsWith("data: [DONE]");
    }
    // Every stream's access-log line comes after the reload: they were all open while it happened.
    Predicate<String> streamLine =
        line -> line.contains("\"alias\":\"planner\"") && line.contains("\"stream\":true");
    Await.until("50 stream lines", () -> gateway.output().stream().filter(streamLine).count() == 50);
    List<String> output = gateway.output();
    int reloadedAt = output.indexOf(reloaded);
    assertThat(output.stream().filter(streamLine)).allSatisfy(line -> {
      assertThat(output.indexOf(line)).isGreaterThan(reloadedAt);
      assertThat(Json.parse(line).path("status").asInt()).isEqualTo(200);
      assertThat(Json.parse(line).has("error")).isFalse();
    });
  }

  @Test
  void anInvalidReloadIsRefusedWithTheStartupErrorAndTheOldConfigKeepsServing() throws Exception {
    start(config("planner", ""));
    Stream open = open(1, "planner", SHORT_TOKENS).getFirst();
    Files.writeString(dir.resolve("gateway.yaml"), config("planner", "") + "  broken: {type: proxy}\n");

    signal("HUP");

    JsonNode refused = Json.parse(gateway.awaitLine(event("reload_failed")));
    assertThat(refused.path("msg").asText()).isEqualTo(startupErrorFor("gateway.yaml"));
    assertThat(refused.path("failed_reloads").asInt()).isEqualTo(1);
    ScrapedMetrics metrics = ScrapedMetrics.parse(get("/metrics"));
    assertThat(metrics.value("rolemesh_config_reloads_total", "result", "failed")).isEqualTo(1);
    assertThat(metrics.value("rolemesh_config_reloads_total", "result", "applied")).isZero();
    assertThat(post("planner", SHORT_TOKENS, false).statusCode()).isEqualTo(200);
    assertThat(open.finish()).endsWith("data: [DONE]");
    assertThat(gateway.output()).noneMatch(event("reloaded"));
  }

  @Test
  void sigtermDrainsOpenStreamsClosesThePortAndExitsCleanly() throws Exception {
    start(config("planner", "") + "gateway: {port: 0, shutdown_grace_s: 120}\n");
    List<Stream> streams = open(10, "planner", SHORT_TOKENS * 2);
    // A client that already sent its next request behind a stream (HTTP/1.1 pipelining) asks /ready during the drain.
    RawHttp pipelined = new RawHttp(URI.create(url).getPort());
    pipelined.send("POST", "/v1/chat/completions", body("planner", SHORT_TOKENS * 2, true));
    pipelined.send("GET", "/ready", null);
    assertThat(pipelined.readHead().status()).isEqualTo(200);

    gateway.terminate();
    gateway.awaitLine(event("draining"));

    Await.until("the port to refuse new connections", this::refused);
    for (Stream stream : streams) {
      assertThat(stream.finish()).endsWith("data: [DONE]");
    }
    assertThat(pipelined.readUntil("data: [DONE]")).isNotNull();
    RawHttp.Response ready = readAfterStream(pipelined);
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.json().path("status").asText()).isEqualTo("draining");
    assertThat(ready.header("Connection")).isEqualTo("close");
    assertThat(gateway.awaitExit()).isZero();
    assertThat(Json.parse(gateway.awaitLine(event("drained"))).path("cut").asInt()).isZero();
    assertThat(gateway.output()).noneMatch(event("shutdown_cut"))
        .noneMatch(line -> line.contains("\"event\":\"request\"") && line.contains("\"error\""));
  }

  @Test
  void aStreamLongerThanTheGraceIsCutAndLoggedAsCutByTheShutdown() throws Exception {
    start(config("planner", "") + "gateway: {port: 0, shutdown_grace_s: 1}\n");
    Stream stream = open(1, "planner", LONG_TOKENS).getFirst();

    gateway.terminate();

    assertThat(stream.finish()).doesNotContain("[DONE]");
    JsonNode cut = Json.parse(gateway.awaitLine(event("shutdown_cut")));
    assertThat(cut.path("msg").asText()).contains("still running after shutdown_grace_s=1s")
        .contains("not the backend");
    JsonNode access = Json.parse(gateway.awaitLine(line -> line.contains("\"event\":\"request\"")));
    assertThat(access.path("error").asText()).startsWith("cut by gateway shutdown");
    assertThat(access.path("request_id").asText()).isEqualTo(cut.path("request_ids").get(0).asText());
    assertThat(gateway.awaitExit()).isZero();
    assertThat(Json.parse(gateway.awaitLine(event("drained"))).path("cut").asInt()).isEqualTo(1);
  }

  @Test
  void aSecondSignalStopsAtOnce() throws Exception {
    start(config("planner", "") + "gateway: {port: 0, shutdown_grace_s: 600}\n");
    Stream stream = open(1, "planner", LONG_TOKENS).getFirst();

    gateway.terminate();
    gateway.awaitLine(event("draining"));
    gateway.terminate();

    assertThat(stream.finish()).doesNotContain("[DONE]");
    assertThat(gateway.awaitLine(event("shutdown_cut"))).contains("a second stop signal");
    assertThat(gateway.awaitExit()).isZero();
  }

  /** The next response on a connection whose streamed body was read up to its last data line. */
  private static RawHttp.Response readAfterStream(RawHttp http) throws IOException {
    for (String line = http.readLine(); line != null && !line.equals("0"); line = http.readLine()) {
      // the rest of the last chunk, up to the terminating one
    }
    http.readLine();
    return http.readResponse();
  }

  private String config(String... roles) {
    StringBuilder yaml = new StringBuilder("default_model: planner\nmodels:\n");
    for (String role : roles) {
      if (!role.isEmpty()) {
        yaml.append("  ").append(role).append(": {type: proxy, proxy_url: \"").append(sim.baseUrl()).append("\"}\n");
      }
    }
    return yaml.toString();
  }

  private void start(String yaml, String... flags) throws IOException {
    Files.writeString(dir.resolve("gateway.yaml"), yaml);
    List<String> args = new ArrayList<>(List.of("gateway", "--config", "gateway.yaml", "--port", "0"));
    args.addAll(List.of(flags));
    gateway = JavaProcess.start(dir, args.toArray(String[]::new));
    url = Json.parse(gateway.awaitLine(event("listening"))).path("url").asText();
  }

  @Test
  void aGatewayStartedUnderNohupSaysThatSighupCannotReloadIt() throws Exception {
    Files.writeString(dir.resolve("gateway.yaml"), config("planner"));
    gateway = JavaProcess.startUnder(List.of("nohup"), dir, "gateway", "--config", "gateway.yaml", "--port", "0");

    assertThat(gateway.awaitLine(event("sighup_ignored"))).contains("--watch");
  }

  /** What the gateway says when it cannot start with this config. */
  private String startupErrorFor(String config) throws Exception {
    try (JavaProcess check = JavaProcess.start(dir, List.of(), true, "gateway", "--config", config,
        "--port", "0")) {
      assertThat(check.awaitExit()).isEqualTo(2);
      return check.errors().getFirst().substring("rolemesh: ".length());
    }
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(gateway.process().pid())).start();
    assertThat(kill.waitFor()).isZero();
  }

  private boolean refused() throws IOException {
    URI base = URI.create(url);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()));
      return false;
    } catch (ConnectException refused) {
      return true;
    }
  }

  private static Predicate<String> event(String name) {
    return line -> line.contains("\"event\":\"" + name + "\"");
  }

  private HttpResponse<String> post(String model, int tokens, boolean stream) throws Exception {
    try (HttpCalls http = HttpCalls.http1(() -> url)) {
      return http.post("/v1/chat/completions", body(model, tokens, stream), HttpResponse.BodyHandlers.ofString());
    }
  }

  private String get(String path) {
    try (HttpCalls http = HttpCalls.http1(() -> url)) {
      return http.get(path).body();
    }
  }

  private static String body(String model, int tokens, boolean stream) {
    return TestGateway.chat(model, "\"max_tokens\":" + tokens + ",\"stream\":" + stream);
  }

  /** Opens streams and returns once every one has its response head: all are open at the gateway. */
  private List<Stream> open(int count, String model, int tokens) {
    List<CompletableFuture<HttpResponse<java.util.stream.Stream<String>>>> heads = IntStream.range(0, count)
        .mapToObj(i -> client.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body(model, tokens, true))).build(),
            HttpResponse.BodyHandlers.ofLines()))
        .toList();
    List<Stream> streams = new ArrayList<>();
    for (var head : heads) {
      HttpResponse<java.util.stream.Stream<String>> response = head.join();
      assertThat(response.statusCode()).isEqualTo(200);
      streams.add(new Stream(CompletableFuture.supplyAsync(() -> read(response.body()))));
    }
    return streams;
  }

  /** The lines of a stream until it ends, whole or cut. */
  private static String read(java.util.stream.Stream<String> lines) {
    List<String> seen = new ArrayList<>();
    try {
      lines.filter(line -> !line.isEmpty()).forEach(seen::add);
    } catch (RuntimeException cut) {
      // The connection was closed mid-stream: what arrived so far is the answer.
    }
    return seen.stream().collect(Collectors.joining("\n"));
  }

  private record Stream(CompletableFuture<String> body) {
    String finish() {
      return Await.result(io.vertx.core.Future.fromCompletionStage(body));
    }
  }
}
