package dev.rolemesh.cli;

import dev.rolemesh.config.ConfigException;
import dev.rolemesh.lifecycle.ConfigWatcher;
import dev.rolemesh.lifecycle.Reloader;
import dev.rolemesh.lifecycle.Signals;
import dev.rolemesh.lifecycle.StopSignals;
import dev.rolemesh.nodeagent.AgentConfig;
import dev.rolemesh.nodeagent.AgentConfigBinder;
import dev.rolemesh.nodeagent.NodeAgent;
import dev.rolemesh.observability.JsonLog;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
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

  @Option(names = "--watch", description = "Reload the models list when the config files change (SIGHUP always"
      + " reloads).")
  boolean watch;

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
    // A reload reads what startup read; its warnings go to the log, since the agent is running by then.
    Reloader.Source<AgentConfig> source = () -> AgentConfigBinder.load(config, configOverride, System.getenv(),
        warning -> log.warn("config_warning", warning));
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
    CountDownLatch drained = new CountDownLatch(1);
    List<Path> watched = !watch ? List.of()
        : configOverride == null ? List.of(config) : List.of(config, configOverride);
    try (Reloader<AgentConfig> reloader = new Reloader<>(source, agent::reload, () -> { }, log);
        ConfigWatcher watcher = watched.isEmpty() ? null
            : ConfigWatcher.start(watched, () -> reloader.request("file change"), log)) {
      if (!Signals.on("HUP", () -> reloader.request("SIGHUP"))) {
        log.warn("sighup_ignored", "SIGHUP is ignored by this process (started under nohup?): reload with --watch");
      }
      StopSignals stop = new StopSignals(
          () -> agent.drain().onComplete(done -> drained.countDown()),
          () -> {
            log.warn("stopping_now", "Second stop signal: cutting every request still in flight");
            agent.stopNow();
          });
      for (String signal : List.of("TERM", "INT")) {
        if (!Signals.on(signal, stop::received)) {
          log.warn("signal_ignored", "SIG" + signal + " is ignored by this process; stop it with SIGTERM");
        }
      }
      drained.await();
    } catch (IOException e) {
      log.error("watch_failed", "cannot watch the config files: " + e.getMessage());
    }
    try {
      // Deregistered and drained: now every llama-server it started is stopped (SIGTERM, then SIGKILL).
      long limitMs = agentConfig.llamaServer().stopTimeout().toMillis() + 15_000;
      agent.stop().toCompletionStage().toCompletableFuture().get(limitMs, TimeUnit.MILLISECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println(NAME + ": unclean shutdown: " + e);
    } finally {
      log.flush();
    }
    return 0;
  }
}
