package dev.rolemesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.api.GatewayServer;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.ServerSettings;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.registry.RegistrySettings;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
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
 * token streaming with no GPU and no model; with {@code --agent}, a node agent on two simulated GPU slots instead
 * ({@link AgentDemo}). It walks through a few requests, then keeps serving for curl. The JSON log goes to a
 * temporary file it names, so its lines do not land in the middle of the streamed text, and which it removes when
 * it ends.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start the gateway with two simulated role backends (planner, writer) and show them working.")
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--host", description = "Gateway listen address (default ${DEFAULT-VALUE}).")
  String host = ServerSettings.DEFAULT_HOST;

  @Option(names = "--port", description = "Gateway listen port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port = ServerSettings.DEFAULT_PORT;

  @Option(names = "--once", description = "Run the walk-through and exit instead of serving.")
  boolean once;

  @Option(names = "--agent", description = "Route through a node agent with two simulated GPU slots and three"
      + " models (discovered roles planner, writer, coder): shows a model load, a switch and a stream.")
  boolean agent;

  @Override
  public Integer call() throws Exception {
    String badPort = Listening.portProblem("--port", port);
    if (badPort != null) {
      System.err.println("rolemesh demo: " + badPort);
      return 2;
    }
    PrintStream out = System.out;
    Path logFile = Files.createTempFile("rolemesh-demo-", ".log");
    PrintStream logStream = new PrintStream(Files.newOutputStream(logFile), true, StandardCharsets.UTF_8);
    JsonLog log = JsonLog.to(logStream);
    Vertx vertx = VertxRuntime.create();
    AgentDemo agentDemo = null;
    GatewayServer gateway;
    try {
      if (agent) {
        agentDemo = AgentDemo.start(vertx, host, port, log);
        gateway = agentDemo.gateway();
      } else {
        gateway = GatewayRunner.start(vertx, config(startSimulators(vertx)), RegistrySettings.inMemory(), log);
      }
    } catch (Exception e) {
      System.err.println("rolemesh demo: " + Listening.failure(host, port, e) + " (try --port 0)");
      VertxRuntime.await(vertx.close());
      removeLog(log, logStream, logFile);
      return 1;
    }
    AgentDemo stoppable = agentDemo;
    Runnable stop = () -> {
      try {
        if (stoppable != null) {
          stoppable.stop();
        }
      } catch (Exception e) {
        System.err.println("rolemesh demo: the node agent did not stop cleanly: " + e.getMessage());
      }
      removeLog(log, logStream, logFile);
    };
    try {
      if (agentDemo != null) {
        agentDemo.walkThrough(out);
      } else {
        walkThrough(out, gateway.baseUrl());
      }
    } catch (Exception e) {
      stop.run();
      VertxRuntime.await(vertx.close());
      throw e;
    }
    out.println();
    out.println("The gateway's log, one JSON line per request (removed when the demo ends): " + logFile);
    if (once) {
      stop.run();
      VertxRuntime.await(vertx.close());
      return 0;
    }
    String model = agent ? "coder" : "writer";
    out.println("The gateway keeps running at " + gateway.baseUrl() + " — try it yourself:");
    out.println("  curl -sS " + gateway.baseUrl() + "/v1/models");
    out.println("  curl -N " + gateway.baseUrl() + "/v1/chat/completions -H 'Content-Type: application/json' \\");
    out.println("    -d '{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}'");
    out.println("Ctrl-C stops it.");
    VertxRuntime.runUntilStopped(vertx, stop);
    return 0;
  }

  private static Simulator[] startSimulators(Vertx vertx) throws Exception {
    return new Simulator[] {
        VertxRuntime.await(Simulator.start(vertx,
            SimOptions.defaults().withPort(0).withAlias("planner-sim").withTokenDelayMs(25))),
        VertxRuntime.await(Simulator.start(vertx,
            SimOptions.defaults().withPort(0).withAlias("writer-sim").withTokenDelayMs(60)))};
  }

  private static void removeLog(JsonLog log, PrintStream logStream, Path logFile) {
    log.flush();
    logStream.close();
    try {
      Files.deleteIfExists(logFile);
    } catch (IOException e) {
      System.err.println("rolemesh demo: could not remove " + logFile + ": " + e.getMessage());
    }
  }

  private GatewayConfig config(Simulator[] simulators) {
    Timeouts timeouts = Timeouts.DEFAULTS;
    Map<String, ModelConfig> models = new LinkedHashMap<>();
    models.put("planner", new ModelConfig("planner", "planner", Map.of("temperature", 0, "max_tokens", 24),
        timeouts, new ModelTarget.Proxy(URI.create(simulators[0].baseUrl()), null)));
    models.put("writer", new ModelConfig("writer", "writer", Map.of("temperature", 0.6, "max_tokens", 32),
        timeouts, new ModelTarget.Proxy(URI.create(simulators[1].baseUrl()), null)));
    return new GatewayConfig(1, "planner", settings(host, port), AuthConfig.OPEN, models, null);
  }

  static ServerSettings settings(String host, int port) {
    return new ServerSettings(host, port, Timeouts.DEFAULTS, ServerSettings.DEFAULT_MAX_BODY_BYTES,
        ServerSettings.DEFAULT_PROBE_TIMEOUT, ServerSettings.DEFAULT_PROBE_CACHE_TTL);
  }

  private static void walkThrough(PrintStream out, String base) throws Exception {
    try (DemoCalls calls = new DemoCalls()) {
      out.println("RoleMesh demo: gateway at " + base + ", roles planner and writer on two simulated llama-servers.");
      out.println();
      out.println("$ GET /v1/models");
      calls.get(base + "/v1/models").path("data").forEach(model -> out.println("  " + model.path("id").asText()));
      out.println();
      out.println("$ POST /v1/chat/completions  model=planner");
      JsonNode completion = calls.chat(base, "planner");
      out.println("  served by backend model " + completion.path("model").asText() + ": "
          + DemoCalls.content(completion));
      out.println();
      out.println("$ POST /v1/chat/completions  model=writer stream=true   (tokens print as they arrive)");
      out.print("  ");
      calls.stream(out, base, "writer");
      out.println();
    }
  }
}
