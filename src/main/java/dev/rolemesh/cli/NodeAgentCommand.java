package dev.rolemesh.cli;

import dev.rolemesh.config.ConfigException;
import dev.rolemesh.nodeagent.AgentConfig;
import dev.rolemesh.nodeagent.AgentConfigBinder;
import dev.rolemesh.nodeagent.NodeAgent;
import dev.rolemesh.observability.JsonLog;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rolemesh node-agent}: runs the node agent until SIGTERM/SIGINT, then deregisters and stops every
 * llama-server it started before exiting, so no process outlives it.
 */
@Command(name = "node-agent", mixinStandardHelpOptions = true,
    description = "Run the node agent: supervise llama-server per GPU and register with the gateway.")
final class NodeAgentCommand implements Callable<Integer> {

  /** How its messages start, the launcher's name, as the gateway's start with "rolemesh: ". */
  static final String NAME = "rolemesh-node-agent";

  /** Exit code for a configuration that cannot be used. */
  static final int BAD_CONFIG = 2;

  @Spec
  CommandSpec spec;

  @Option(names = "--config", required = true, description = "Agent config, like configs/node_agent.example.yaml.")
  Path config;

  @Option(names = "--config-override", description = "Merged over --config: machine-specific paths, keys, hosts.")
  Path configOverride;

  @Mixin
  LogOptions logOptions = new LogOptions();

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    JsonLog log;
    try {
      log = logOptions.open(System.getenv());
    } catch (IllegalArgumentException e) {
      err.println(NAME + ": " + e.getMessage());
      err.flush();
      return BAD_CONFIG;
    }
    AgentConfig agentConfig;
    try {
      agentConfig = AgentConfigBinder.load(config, configOverride, System.getenv(),
          warning -> err.println(NAME + ": warning: " + warning));
    } catch (ConfigException e) {
      err.println(NAME + ": " + e.getMessage());
      err.flush();
      return BAD_CONFIG;
    }
    err.flush();
    Vertx vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).build();
    NodeAgent agent;
    try {
      agent = NodeAgent.start(vertx, agentConfig, log).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      err.println(NAME + ": " + Listening.failure(agentConfig.host(), agentConfig.port(), e.getCause()));
      err.flush();
      vertx.close();
      return 1;
    }
    if (!GatewayRunner.isLoopback(agentConfig.host()) && agentConfig.apiKeys().isEmpty()) {
      log.warn("exposed_without_auth", "WARNING: listening on non-loopback address " + agentConfig.host()
          + " and no auth.api_keys are set: anyone who can reach port " + agent.port() + " can use"
          + " this node's models and make it load and unload them. Set auth.api_keys (and the gateway's"
          + " auth.node_upstream_key), firewall the port so that only the gateway reaches it (docs/node-agent.md),"
          + " or bind 127.0.0.1.");
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        // Long enough for a deregistration and every server's SIGTERM grace; past it the JVM exits anyway.
        long limitMs = agentConfig.llamaServer().stopTimeout().toMillis() + 15_000;
        agent.stop().toCompletionStage().toCompletableFuture().get(limitMs, TimeUnit.MILLISECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println(NAME + ": unclean shutdown: " + e);
      } finally {
        log.flush();
        stopped.countDown();
      }
    }));
    stopped.await();
    return 0;
  }
}
