package dev.rolemesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.api.GatewayServer;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.ServerSettings;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.json.Json;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.registry.RegistrySettings;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rolemesh demo}: two simulated llama-server backends behind a gateway, so a newcomer sees role routing and
 * token streaming with no GPU and no model. It walks through a few requests, then keeps serving for curl.
 * The gateway's JSON log goes to a file, so its lines do not land in the middle of the streamed text.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start the gateway with two simulated role backends (planner, writer) and show them working.")
final class DemoCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = Json.MAPPER;

  @Option(names = "--host", description = "Gateway listen address (default ${DEFAULT-VALUE}).")
  String host = ServerSettings.DEFAULT_HOST;

  @Option(names = "--port", description = "Gateway listen port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port = ServerSettings.DEFAULT_PORT;

  @Option(names = "--once", description = "Run the walk-through and exit instead of serving.")
  boolean once;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Path logFile = Files.createTempFile("rolemesh-demo-", ".log");
    JsonLog log = JsonLog.to(new PrintStream(Files.newOutputStream(logFile), true, StandardCharsets.UTF_8));
    Vertx vertx = VertxRuntime.create();
    Simulator planner = VertxRuntime.await(Simulator.start(vertx,
        SimOptions.defaults().withPort(0).withAlias("planner-sim").withTokenDelayMs(25)));
    Simulator writer = VertxRuntime.await(Simulator.start(vertx,
        SimOptions.defaults().withPort(0).withAlias("writer-sim").withTokenDelayMs(60)));
    GatewayServer gateway;
    try {
      gateway = GatewayRunner.start(vertx, config(planner, writer), RegistrySettings.inMemory(), log);
    } catch (Exception e) {
      log.flush();
      System.err.println("rolemesh demo: cannot listen on " + host + ":" + port + ": " + e.getMessage()
          + " (try --port 0)");
      vertx.close();
      return 1;
    }
    walkThrough(out, gateway.baseUrl());
    out.println();
    out.println("The gateway's log, one JSON line per request: " + logFile);
    if (once) {
      VertxRuntime.await(vertx.close());
      log.flush();
      return 0;
    }
    out.println("The gateway keeps running at " + gateway.baseUrl() + " — try it yourself:");
    out.println("  curl -sS " + gateway.baseUrl() + "/v1/models");
    out.println("  curl -N " + gateway.baseUrl() + "/v1/chat/completions -H 'Content-Type: application/json' \\");
    out.println("    -d '{\"model\":\"writer\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}'");
    out.println("Ctrl-C stops it.");
    VertxRuntime.runUntilStopped(vertx, log::flush);
    return 0;
  }

  private GatewayConfig config(Simulator planner, Simulator writer) {
    Timeouts timeouts = Timeouts.DEFAULTS;
    Map<String, ModelConfig> models = new LinkedHashMap<>();
    models.put("planner", new ModelConfig("planner", "planner", Map.of("temperature", 0, "max_tokens", 24),
        timeouts, new ModelTarget.Proxy(URI.create(planner.baseUrl()), null)));
    models.put("writer", new ModelConfig("writer", "writer", Map.of("temperature", 0.6, "max_tokens", 32),
        timeouts, new ModelTarget.Proxy(URI.create(writer.baseUrl()), null)));
    ServerSettings settings = new ServerSettings(host, port, timeouts, ServerSettings.DEFAULT_MAX_BODY_BYTES,
        ServerSettings.DEFAULT_PROBE_TIMEOUT, ServerSettings.DEFAULT_PROBE_CACHE_TTL);
    return new GatewayConfig(1, "planner", settings, AuthConfig.OPEN, models, null);
  }

  private static void walkThrough(PrintStream out, String base) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      out.println("RoleMesh demo: gateway at " + base + ", roles planner and writer on two simulated llama-servers.");
      out.println();
      out.println("$ GET /v1/models");
      JsonNode models = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      models.path("data").forEach(model -> out.println("  " + model.path("id").asText()));
      out.println();
      out.println("$ POST /v1/chat/completions  model=planner");
      HttpResponse<String> answer = http.send(chat(base, "planner", false), HttpResponse.BodyHandlers.ofString());
      JsonNode completion = JSON.readTree(answer.body());
      out.println("  served by backend model " + completion.path("model").asText() + ": "
          + completion.path("choices").path(0).path("message").path("content").asText());
      out.println();
      out.println("$ POST /v1/chat/completions  model=writer stream=true   (tokens print as they arrive)");
      out.print("  ");
      HttpResponse<InputStream> stream = http.send(chat(base, "writer", true),
          HttpResponse.BodyHandlers.ofInputStream());
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.startsWith("data: {")) {
            String token = JSON.readTree(line.substring(6)).path("choices").path(0).path("delta").path("content")
                .asText("");
            out.print(token);
            out.flush();
          }
        }
      }
      out.println();
    }
  }

  private static HttpRequest chat(String base, String model, boolean stream) {
    String body = "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}]}";
    return HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }
}
