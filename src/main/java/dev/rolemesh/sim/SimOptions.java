package dev.rolemesh.sim;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a {@link Simulator} is started with; {@link #defaults()} matches {@code rolemesh sim} without flags.
 *
 * @param host address to bind ({@code --host}, default 127.0.0.1)
 * @param port port to bind, 0 for an ephemeral one ({@code --port}, default 8080)
 * @param modelPath the {@code -m} path, or null; only its name (and size, when the file exists) is used
 * @param alias the {@code -a} alias, or null
 * @param ctxSize context size per slot in tokens ({@code -c}, default 4096)
 * @param parallel number of slots ({@code -np}, default 4 as in llama-server)
 * @param slotsEndpoint whether GET /slots answers ({@code --slots}/{@code --no-slots}, default on as in llama-server)
 * @param metricsEndpoint whether GET /metrics answers ({@code --metrics}, default off as in llama-server)
 * @param embeddings whether POST /v1/embeddings answers ({@code --embedding(s)}, default off as in llama-server)
 * @param reranking whether POST /v1/rerank and /v1/reranking answer ({@code --reranking}, default off as in
 *     llama-server)
 * @param nPredict tokens to generate when a request names no limit ({@code -n/--n-predict}, default 16; -1 means
 *     until the context is full)
 * @param tokenDelayMs pause between streamed tokens ({@code --token-delay-ms})
 * @param promptDelayMs pause before the first byte of an answer ({@code --prompt-delay-ms})
 * @param promptMsPerToken prompt processing time per prompt token not in the slot's cache
 *     ({@code --prompt-ms-per-token}, default 0)
 * @param loadDelayMs how long after start the server reports "Loading model" ({@code --load-delay-ms})
 * @param fail the failure mode of every inference request without an {@code X-Sim-Fail} header ({@code --fail})
 * @param stamp whether streamed chunks carry {@code sim_sent_us} ({@code --stamp})
 */
public record SimOptions(
    String host,
    int port,
    String modelPath,
    String alias,
    int ctxSize,
    int parallel,
    boolean slotsEndpoint,
    boolean metricsEndpoint,
    boolean embeddings,
    boolean reranking,
    int nPredict,
    long tokenDelayMs,
    long promptDelayMs,
    double promptMsPerToken,
    long loadDelayMs,
    FailureMode fail,
    boolean stamp) {

  public SimOptions {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(fail, "fail");
    requireRange("port", port, 0, 65_535);
    requireRange("ctxSize", ctxSize, 1, Integer.MAX_VALUE);
    requireRange("parallel", parallel, 1, 1024);
    requireRange("nPredict", nPredict, -1, Integer.MAX_VALUE);
    requireRange("tokenDelayMs", tokenDelayMs, 0, Long.MAX_VALUE);
    requireRange("promptDelayMs", promptDelayMs, 0, Long.MAX_VALUE);
    requireRange("loadDelayMs", loadDelayMs, 0, Long.MAX_VALUE);
    if (!(promptMsPerToken >= 0 && promptMsPerToken <= 60_000)) {
      throw new IllegalArgumentException("promptMsPerToken must be in [0, 60000], got " + promptMsPerToken);
    }
  }

  public static SimOptions defaults() {
    return new SimOptions(
        "127.0.0.1", 8080, null, null, 4096, 4, true, false, false, false, 16, 0, 0, 0.0, 0, FailureMode.NONE, false);
  }

  /**
   * The name llama-server reports in {@code model} fields: the alias, else the model file's name, else
   * {@code sim-model}.
   */
  public String modelName() {
    if (alias != null && !alias.isBlank()) {
      return alias;
    }
    if (modelPath != null && !modelPath.isBlank()) {
      Path name = Path.of(modelPath).getFileName();
      return name == null ? modelPath : name.toString();
    }
    return "sim-model";
  }

  public SimOptions withPort(int value) {
    return new SimOptions(host, value, modelPath, alias, ctxSize, parallel, slotsEndpoint, metricsEndpoint,
        embeddings, reranking, nPredict, tokenDelayMs, promptDelayMs, promptMsPerToken, loadDelayMs, fail, stamp);
  }

  public SimOptions withAlias(String value) {
    return new SimOptions(host, port, modelPath, value, ctxSize, parallel, slotsEndpoint, metricsEndpoint,
        embeddings, reranking, nPredict, tokenDelayMs, promptDelayMs, promptMsPerToken, loadDelayMs, fail, stamp);
  }

  public SimOptions withCtxSize(int value) {
    return new SimOptions(host, port, modelPath, alias, value, parallel, slotsEndpoint, metricsEndpoint,
        embeddings, reranking, nPredict, tokenDelayMs, promptDelayMs, promptMsPerToken, loadDelayMs, fail, stamp);
  }

  public SimOptions withParallel(int value) {
    return new SimOptions(host, port, modelPath, alias, ctxSize, value, slotsEndpoint, metricsEndpoint,
        embeddings, reranking, nPredict, tokenDelayMs, promptDelayMs, promptMsPerToken, loadDelayMs, fail, stamp);
  }

  public SimOptions withSlotsEndpoint(boolean value) {
    return new SimOptions(host, port, modelPath, alias, ctxSize, parallel, value, metricsEndpoint,
        embeddings, reranking, nPredict, tokenDelayMs, promptDelayMs, promptMsPerToken, loadDelayMs, fail, stamp);
  }

  public SimOptions withMetricsEndpoint(boolean value) {
    return new SimOptions(host, port, modelPath, alias, ctxSize, parallel, slotsEndpoint, value,
        embeddings, reranking, nPredict, tokenDelayMs, promptDelayMs, promptMsPerToken, loadDelayMs, fail, stamp);
  }

  public SimOptions withEmbeddings(boolean value) {
    return new SimOptions(host, port, modelPath, alias, ctxSize, parallel, slotsEndpoint, metricsEndpoint,
        value, reranking, nPredict, tokenDelayMs, promptDelayMs, promptMsPerToken, loadDelayMs, fail, stamp);
  }

  public SimOptions withReranking(boolean value) {
    return new SimOptions(host, port, modelPath, alias, ctxSize, parallel, slotsEndpoint, metricsEndpoint,
        embeddings, value, nPredict, tokenDelayMs, promptDelayMs, promptMsPerToken, loadDelayMs, fail, stamp);
  }

  public SimOptions withNPredict(int value) {
    return new SimOptions(host, port, modelPath, alias, ctxSize, parallel, slotsEndpoint, metricsEndpoint,
        embeddings, reranking, value, tokenDelayMs, promptDelayMs, promptMsPerToken, loadDelayMs, fail, stamp);
  }

  public SimOptions withTokenDelayMs(long value) {
    return new SimOptions(host, port, modelPath, alias, ctxSize, parallel, slotsEndpoint, metricsEndpoint,
        embeddings, reranking, nPredict, value, promptDelayMs, promptMsPerToken, loadDelayMs, fail, stamp);
  }

  public SimOptions withPromptMsPerToken(double value) {
    return new SimOptions(host, port, modelPath, alias, ctxSize, parallel, slotsEndpoint, metricsEndpoint,
        embeddings, reranking, nPredict, tokenDelayMs, promptDelayMs, value, loadDelayMs, fail, stamp);
  }

  public SimOptions withLoadDelayMs(long value) {
    return new SimOptions(host, port, modelPath, alias, ctxSize, parallel, slotsEndpoint, metricsEndpoint,
        embeddings, reranking, nPredict, tokenDelayMs, promptDelayMs, promptMsPerToken, value, fail, stamp);
  }

  public SimOptions withFail(FailureMode value) {
    return new SimOptions(host, port, modelPath, alias, ctxSize, parallel, slotsEndpoint, metricsEndpoint,
        embeddings, reranking, nPredict, tokenDelayMs, promptDelayMs, promptMsPerToken, loadDelayMs, value, stamp);
  }

  public SimOptions withStamp(boolean value) {
    return new SimOptions(host, port, modelPath, alias, ctxSize, parallel, slotsEndpoint, metricsEndpoint,
        embeddings, reranking, nPredict, tokenDelayMs, promptDelayMs, promptMsPerToken, loadDelayMs, fail, value);
  }

  private static void requireRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
    }
  }
}
