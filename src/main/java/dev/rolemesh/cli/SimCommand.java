package dev.rolemesh.cli;

import dev.rolemesh.sim.FailureMode;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code rolemesh sim}: runs the llama-server simulator until SIGTERM/SIGINT. It takes llama-server's own flags so it
 * can be launched in its place; flags it does not know are ignored, whatever their values.
 */
@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    description = "Run the llama-server simulator (accepts and ignores llama-server flags it does not use).",
    modelTransformer = SimCommand.NoClustering.class)
final class SimCommand implements Callable<Integer> {

  @Option(names = {"-m", "--model"}, description = "Model path; must exist when given, like llama-server.")
  String model;

  @Option(names = "--host", defaultValue = "127.0.0.1")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "0 picks a free port; the real one is printed.")
  int port;

  @Option(names = {"-a", "--alias"})
  String alias;

  @Option(names = {"-c", "--ctx-size"}, defaultValue = "4096", description = "Context per slot; 0 means 4096.")
  int ctxSize;

  @Option(names = {"-np", "--parallel"}, defaultValue = "4")
  int parallel;

  @Option(names = {"-n", "--n-predict", "--predict"}, defaultValue = "16")
  int nPredict;

  @Option(names = "--slots", negatable = true, defaultValue = "true", fallbackValue = "true")
  boolean slots;

  @Option(names = "--metrics")
  boolean metrics;

  @Option(names = {"--embedding", "--embeddings"})
  boolean embeddings;

  @Option(names = {"--rerank", "--reranking"})
  boolean reranking;

  @Option(names = {"-ngl", "--gpu-layers", "--n-gpu-layers"}, description = "Accepted and ignored.")
  String gpuLayers;

  @Option(names = {"-t", "--threads"}, description = "Accepted and ignored.")
  String threads;

  @Option(names = "--token-delay-ms", defaultValue = "0")
  long tokenDelayMs;

  @Option(names = "--prompt-delay-ms", defaultValue = "0")
  long promptDelayMs;

  @Option(names = "--prompt-ms-per-token", defaultValue = "0",
      description = "Prompt time per token not in the slot's prompt cache.")
  double promptMsPerToken;

  @Option(names = "--load-delay-ms", defaultValue = "0")
  long loadDelayMs;

  @Option(names = "--fail", defaultValue = "none", converter = FailureModeConverter.class,
      description = "none, hang, error500 or die-mid-stream")
  FailureMode fail;

  @Option(names = "--stamp", description = "Add sim_sent_us to streamed chunks.")
  boolean stamp;

  @Unmatched
  List<String> ignored;

  @Override
  public Integer call() throws InterruptedException {
    if (model != null && !Files.isRegularFile(Path.of(model))) {
      System.err.println("sim: error: failed to load model '" + model + "': no such file");
      return 1;
    }
    SimOptions options = new SimOptions(host, port, model, alias, ctxSize <= 0 ? 4096 : ctxSize, parallel, slots,
        metrics, embeddings, reranking, nPredict, tokenDelayMs, promptDelayMs, promptMsPerToken, loadDelayMs, fail, stamp);
    Vertx vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).build();
    Simulator simulator;
    try {
      simulator = Simulator.start(vertx, options).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      System.err.println("sim: error: " + Listening.failure(host, port, e.getCause()));
      vertx.close();
      return 1;
    }
    System.out.println("sim: listening on " + simulator.baseUrl() + " (model " + options.modelName() + ")");
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        // closing Vert.x closes the server; a future chained after it would wait for a dead event loop
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the JVM is going down either way
      } finally {
        stopped.countDown();
      }
    }));
    stopped.await();
    return 0;
  }

  static final class FailureModeConverter implements ITypeConverter<FailureMode> {
    @Override
    public FailureMode convert(String value) {
      return FailureMode.parse(value);
    }
  }

  /**
   * llama-server has many multi-letter short flags ({@code -ctk}, {@code -cb}, {@code -fa}); read as POSIX clusters
   * they would turn into {@code -c tk} and the like. Without clustering they are simply unmatched, hence ignored.
   */
  static final class NoClustering implements picocli.CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      spec.parser().posixClusteredShortOptionsAllowed(false);
      return spec;
    }
  }
}
