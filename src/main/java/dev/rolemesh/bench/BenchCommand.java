package dev.rolemesh.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rolemesh bench ...}: the measuring half of {@code bench/run.sh}, which starts the processes and calls these.
 * Each measurement prints one JSON line and appends it, tagged with scenario, target and round, to {@code --out}.
 */
@Command(
    name = "bench",
    description = "Benchmark tools used by bench/run.sh: SSE stream load, cancellation probe, cold start, report.",
    subcommands = {
        BenchCommand.Streams.class, BenchCommand.Cancel.class, BenchCommand.Coldstart.class,
        BenchCommand.Agent.class, BenchCommand.Overload.class, BenchCommand.ReportCommand.class})
public final class BenchCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    System.err.println("bench: name a subcommand (streams, cancel, coldstart, agent, overload, report); see"
        + " bench/run.sh");
    return 2;
  }

  /** Options every measurement shares: where the result goes and how it is tagged. */
  static final class Tags {
    @Option(names = "--out", description = "Append the result line to this JSONL file.")
    Path out;

    @Option(names = "--target", defaultValue = "", description = "direct, gateway or nginx.")
    String target;

    @Option(names = "--round", defaultValue = "0")
    int round;

    /** Prints the result and appends it to {@code --out}; returns the exit code: 0, or 1 if {@code ok} is false. */
    int emit(String scenario, ObjectNode measured, boolean ok) throws IOException {
      ObjectNode line = Json.object().put("scenario", scenario).put("target", target).put("round", round);
      line.setAll(measured);
      line.put("ok", ok);
      String text = line.toString();
      System.out.println(text);
      if (out != null) {
        Files.writeString(out, text + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
      return ok ? 0 : 1;
    }
  }

  static Vertx vertx() {
    return Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1)).build();
  }

  static void requireLoopback(String url) {
    String host = URI.create(url).getHost();
    if (!"127.0.0.1".equals(host)) {
      throw new IllegalArgumentException("bench targets 127.0.0.1 only, not " + url);
    }
  }

  @Command(name = "streams", description = "Concurrent SSE streams with per-chunk delay from sim_sent_us stamps.")
  static final class Streams implements Callable<Integer> {
    @Mixin Tags tags;

    @Option(names = "--url", required = true, split = ",",
        description = "Chat completions URL(s); stream i uses url[i % n].")
    List<String> urls;

    @Option(names = "--streams", defaultValue = "200")
    int streams;

    @Option(names = "--tokens", defaultValue = "50", description = "Tokens per stream (chunks = tokens + 2).")
    int tokens;

    @Option(names = "--token-delay-ms", defaultValue = "50")
    long tokenDelayMs;

    @Option(names = "--ramp", defaultValue = "2000", description = "Streams opened per second.")
    int ramp;

    @Option(names = "--backends", defaultValue = "1", description = "Spread streams over models bench-0..N-1.")
    int backends;

    @Option(names = "--timeout-s", defaultValue = "120")
    long timeoutS;

    @Option(names = "--warmup", defaultValue = "100",
        description = "Streams of a short unrecorded run first, so this JVM and the target are warm; 0 for none.")
    int warmup;

    @Option(names = "--rss-pid", split = ",", description = "Processes whose peak RSS over the run is reported.")
    List<Long> rssPids = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      urls.forEach(BenchCommand::requireLoopback);
      Vertx vertx = vertx();
      try {
        if (warmup > 0) {
          new StreamLoad(vertx, new StreamLoad.Settings(urls, Math.min(warmup, streams), 20, 5, ramp, backends,
              timeoutS * 1000, List.of())).run();
        }
        ObjectNode result = new StreamLoad(vertx, new StreamLoad.Settings(urls, streams, tokens, tokenDelayMs, ramp,
            backends, timeoutS * 1000, rssPids)).run();
        boolean ok = result.path("complete").asInt() == streams && result.path("unstamped").asLong() == 0;
        return tags.emit("streams", result, ok);
      } finally {
        vertx.close();
      }
    }
  }

  @Command(name = "cancel", description = "Client disconnect to backend cancel, via the simulator's /sim/stats.")
  static final class Cancel implements Callable<Integer> {
    @Mixin Tags tags;

    @Option(names = "--url", required = true)
    String url;

    @Option(names = "--stats", required = true, description = "The simulator's /sim/stats URL.")
    String stats;

    @Option(names = "--mode", split = ",", defaultValue = "prompt,mid", description = "prompt and/or mid")
    List<String> modes;

    @Option(names = "--trials", defaultValue = "10", description = "Trials per mode.")
    int trials;

    @Override
    public Integer call() throws Exception {
      requireLoopback(url);
      requireLoopback(stats);
      Vertx vertx = vertx();
      int exit = 0;
      try {
        for (String mode : modes) {
          ObjectNode result = new CancelProbe(vertx, url, stats,
              CancelProbe.Mode.valueOf(mode.toUpperCase(java.util.Locale.ROOT))).run(trials);
          exit |= tags.emit("cancel", result, result.path("unseen").asInt() == 0);
        }
        return exit;
      } finally {
        vertx.close();
      }
    }
  }

  @Command(name = "agent", description = "Multi-turn agent sessions: prompt reuse (cached_tokens) and TTFT.")
  static final class Agent implements Callable<Integer> {
    @Mixin Tags tags;

    @Option(names = "--url", required = true, split = ",",
        description = "Chat completions URL(s); session i uses url[i % n] (several: the sticky oracle).")
    List<String> urls;

    @Option(names = "--model", defaultValue = "agent")
    String model;

    @Option(names = "--sessions", defaultValue = "10")
    int sessions;

    @Option(names = "--turns", defaultValue = "6")
    int turns;

    @Option(names = "--concurrency", defaultValue = "5")
    int concurrency;

    @Option(names = "--system-chars", defaultValue = "6000")
    int systemChars;

    @Option(names = "--turn-chars", defaultValue = "1200")
    int turnChars;

    @Option(names = "--max-tokens", defaultValue = "32")
    int maxTokens;

    @Option(names = "--timeout-s", defaultValue = "120")
    long timeoutS;

    @Override
    public Integer call() throws Exception {
      urls.forEach(BenchCommand::requireLoopback);
      ObjectNode result = new AgentLoad(new AgentLoad.Settings(urls, model, sessions, turns, concurrency,
          systemChars, turnChars, maxTokens, timeoutS * 1000)).run();
      return tags.emit("agent", result, result.path("failed").asInt() == 0);
    }
  }

  @Command(name = "overload", description = "More clients than slots: answers, 503 + Retry-After and how fast.")
  static final class Overload implements Callable<Integer> {
    @Mixin Tags tags;

    @Option(names = "--url", required = true, description = "The gateway's chat completions URL.")
    String url;

    @Option(names = "--model", required = true)
    String model;

    @Option(names = "--clients", defaultValue = "8", description = "Requests in flight at once.")
    int clients;

    @Option(names = "--requests", defaultValue = "200")
    int requests;

    @Option(names = "--max-tokens", defaultValue = "16")
    int maxTokens;

    @Option(names = "--timeout-s", defaultValue = "120")
    long timeoutS;

    @Option(names = "--expect-refusals", description = "Refusals are the point (an overflow run), not a failure.")
    boolean expectRefusals;

    @Override
    public Integer call() throws Exception {
      requireLoopback(url);
      ObjectNode result = new OverloadLoad(new OverloadLoad.Settings(url, model, clients, requests, maxTokens,
          timeoutS * 1000)).run();
      boolean ok = result.path("failed").asInt() == 0 && result.path("refused_without_retry_after").asInt() == 0
          && (expectRefusals || result.path("refused").asInt() == 0);
      return tags.emit("overload", result, ok);
    }
  }

  @Command(name = "coldstart", description = "Start a command; time to its first served chat completion; idle RSS.")
  static final class Coldstart implements Callable<Integer> {
    @Mixin Tags tags;

    @Option(names = "--port", required = true, description = "The port the started gateway listens on.")
    int port;

    @Option(names = "--model", defaultValue = "bench-0")
    String model;

    @Option(names = "--warm-port", required = true, description = "The simulator's port, to warm up the probe.")
    int warmPort;

    @Option(names = "--env", description = "KEY=VALUE set for the started command.")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--log", required = true)
    Path log;

    @Option(names = "--settle-ms", defaultValue = "2000", description = "Idle time before reading the RSS.")
    long settleMs;

    @Option(names = "--timeout-s", defaultValue = "30")
    long timeoutS;

    @Parameters(arity = "1..*", description = "The command that starts the gateway.")
    List<String> command;

    @Override
    public Integer call() throws Exception {
      ColdStart cold = new ColdStart("127.0.0.1", port, "/v1/chat/completions", model);
      cold.warmUp("127.0.0.1", warmPort);
      ObjectNode result = cold.run(command, env, log, settleMs, timeoutS * 1000);
      return tags.emit("coldstart", result, result.path("served").asBoolean());
    }
  }

  @Command(name = "report", description = "Write docs/benchmarks.md from a run's results.")
  static final class ReportCommand implements Callable<Integer> {
    @Option(names = "--results", required = true)
    Path results;

    @Option(names = "--out", required = true)
    Path out;

    @Option(names = "--mode", defaultValue = "full")
    String mode;

    @Option(names = "--noisy", description = "Label the figures as taken on a busy machine.")
    boolean noisy;

    @Option(names = "--note")
    String note;

    @Option(names = "--rounds", defaultValue = "3")
    int rounds;

    @Option(names = "--date", required = true)
    String date;

    @Option(names = "--run-command", defaultValue = "bench/run.sh")
    String runCommand;

    @Option(names = "--machine", description = "File of 'key: value' lines describing the machine.")
    Path machine;

    @Option(names = "--commands", description = "File with the commands the run executed, one a line.")
    Path commands;

    @Option(names = "--setup", description = "KEY=TEXT: a scenario's setup sentence (chat, streams, cancel, "
        + "coldstart).")
    Map<String, String> setup = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
      ObjectNode meta = Json.object().put("mode", mode).put("noisy", noisy).put("rounds", rounds).put("date", date)
          .put("command", runCommand);
      if (note != null) {
        meta.put("note", note);
      }
      ObjectNode machineNode = meta.putObject("machine");
      if (machine != null) {
        for (String line : Files.readAllLines(machine)) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            machineNode.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
          }
        }
      }
      ArrayNode commandList = meta.putArray("commands");
      if (commands != null) {
        for (String line : Files.readAllLines(commands)) {
          if (!line.isBlank()) {
            commandList.add(line.replaceAll("--round \\d+", "--round R"));
          }
        }
      }
      setup.forEach((key, text) -> meta.put(key + "_setup", text));
      String markdown = new Report(Report.load(results), meta).render();
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      Files.writeString(out, Report.keepingTail(markdown, Files.exists(out) ? Files.readString(out) : null));
      System.out.println("bench: wrote " + out);
      return 0;
    }
  }
}
