package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.config.UpstreamUrls;
import dev.rolemesh.json.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The project's test double for a backend: an HTTP server that answers like llama.cpp's {@code llama-server}, as
 * captured in {@code shared/fixtures/llama-server/} (status codes, header sets and order, JSON field order, SSE
 * framing, error shapes), generating deterministic text from a canned story ({@link TokenSource}).
 *
 * <p>llama-server behaviour imitated: GET /health ({@code 503 Loading model} while loading), GET /v1/models and
 * /models (served while loading too), GET /slots ({@code is_processing} while a request holds the slot; 501 with
 * {@code --no-slots}), GET /metrics (Prometheus text, {@code llamacpp:} prefix, needs {@code --metrics}), POST
 * /v1/chat/completions, /v1/completions and their unversioned twins (whole or streamed, one token per chunk,
 * {@code stream_options.include_usage}), POST /v1/embeddings (needs {@code --embeddings}), POST /v1/messages
 * (Anthropic Messages, streamed as named SSE events, see {@link MessagesReply}) and /v1/messages/count_tokens, POST
 * /v1/responses (OpenAI Responses, see {@link ResponsesReply}), POST /v1/rerank and its aliases (needs
 * {@code --reranking}, see {@link Rerank}), POST /v1/audio/transcriptions (multipart, see {@link Transcription});
 * errors on every path keep llama-server's OpenAI shape; malformed JSON is a 500,
 * missing {@code messages}/{@code prompt} a 400, a prompt of at least {@code -c} tokens a 400
 * {@code exceed_context_size_error}, unknown paths a 404; errors close the connection. Requests beyond the slot
 * count wait for a free slot. A client that disconnects, before or during the answer, cancels its request at once
 * and frees its slot. Prompt sizes are estimated at 4 characters per token, see {@link TokenSource#estimateTokens}.
 *
 * <p>Simulator-only extras:
 *
 * <ul>
 *   <li>Pacing: {@code --prompt-delay-ms} passes before the first byte of an answer (headers go out with the first
 *       chunk, so a client can cancel "before the first token"), plus {@code --prompt-ms-per-token} for each prompt
 *       token the slot's prompt cache does not hold (see {@link SlotPool}); {@code --token-delay-ms} passes between streamed
 *       tokens. Per request, the headers {@code X-Sim-Prompt-Delay-Ms} and {@code X-Sim-Token-Delay-Ms} override them.
 *   <li>Slow start: for {@code --load-delay-ms} after start, everything but the model list answers 503
 *       {@code Loading model}, as llama-server does while it loads.
 *   <li>Failures of inference requests, by {@code --fail MODE} or per request by {@code X-Sim-Fail: MODE} (the
 *       header wins): see {@link FailureMode}. Probe endpoints never fail.
 *   <li>{@code --stamp}: every streamed chunk carries {@code "sim_sent_us"}, the epoch microseconds (monotonic since
 *       start) when it was written, so a benchmark can measure per-chunk delay. Off by default to match the fixtures.
 *   <li>GET /sim/stats: what the server received and how requests ended, see {@link SimStats}.
 * </ul>
 *
 * <p>Everything runs on one event loop, with timers for pacing; nothing blocks.
 */
public final class Simulator {

  /** Paths polled by monitors; counted, but left out of {@code last_request} and {@code recent}. */
  private static final Set<String> PROBES = Set.of("/health", "/v1/health", "/slots", "/metrics");

  private enum Endpoint { CHAT, TEXT, EMBEDDINGS, MESSAGES, COUNT_TOKENS, RESPONSES, RERANK, TRANSCRIPTION }

  private static final Map<String, Endpoint> INFERENCE = Map.ofEntries(
      Map.entry("POST /v1/chat/completions", Endpoint.CHAT),
      Map.entry("POST /chat/completions", Endpoint.CHAT),
      Map.entry("POST /v1/completions", Endpoint.TEXT),
      Map.entry("POST /completions", Endpoint.TEXT),
      Map.entry("POST /v1/embeddings", Endpoint.EMBEDDINGS),
      Map.entry("POST /embeddings", Endpoint.EMBEDDINGS),
      Map.entry("POST /v1/messages", Endpoint.MESSAGES),
      Map.entry("POST /v1/messages/count_tokens", Endpoint.COUNT_TOKENS),
      Map.entry("POST /v1/responses", Endpoint.RESPONSES),
      Map.entry("POST /v1/rerank", Endpoint.RERANK),
      Map.entry("POST /v1/reranking", Endpoint.RERANK),
      Map.entry("POST /rerank", Endpoint.RERANK),
      Map.entry("POST /reranking", Endpoint.RERANK),
      Map.entry("POST /v1/audio/transcriptions", Endpoint.TRANSCRIPTION));

  private final SimState sim;
  private final HttpServer server;
  private final long modelFileSize;
  private long loadTimer = -1;

  private Simulator(SimState sim, HttpServer server, long modelFileSize) {
    this.sim = sim;
    this.server = server;
    this.modelFileSize = modelFileSize;
  }

  /** Binds the server; the future completes once it listens. The model file need not exist. */
  public static Future<Simulator> start(Vertx vertx, SimOptions options) {
    // llama-server speaks HTTP/1.1 only; accepting an h2c upgrade would then send HTTP/1-only headers over HTTP/2.
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port())
        .setHttp2ClearTextEnabled(false));
    SimState sim = new SimState(vertx, options);
    Simulator simulator = new Simulator(sim, server, fileSize(options.modelPath()));
    server.connectionHandler(connection -> {
      sim.stats.connectionOpened();
      connection.closeHandler(ignored -> sim.stats.connectionClosed());
    });
    server.requestHandler(simulator::handle);
    return server.listen().map(listening -> {
      if (sim.loading()) {
        simulator.loadTimer = vertx.setTimer(options.loadDelayMs(), id -> sim.loaded());
      }
      return simulator;
    });
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://HOST:PORT}, with 127.0.0.1 standing in for a wildcard bind address. */
  public String baseUrl() {
    return UpstreamUrls.localUrl(sim.options.host(), port());
  }

  public SimOptions options() {
    return sim.options;
  }

  public SimStats stats() {
    return sim.stats.snapshot();
  }

  /** Stops listening and closes every connection; requests in flight count as cancelled. */
  public Future<Void> close() {
    if (loadTimer >= 0) {
      sim.vertx.cancelTimer(loadTimer);
    }
    return server.close();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    if (path.equals("/sim/stats") && request.method() == HttpMethod.GET) {
      LlamaHttp.json(request, 200, stats().toJson());
      return;
    }
    sim.stats.counted(path);
    String route = request.method().name() + " " + path;
    Endpoint endpoint = INFERENCE.get(route);
    if (endpoint == null) {
      record(request, null);
    }
    try {
      if (sim.loading() && !route.equals("GET /v1/models") && !route.equals("GET /models")) {
        throw LlamaError.loading();
      }
      if (endpoint != null) {
        inference(request, endpoint);
        return;
      }
      switch (route) {
        case "GET /health", "GET /v1/health" -> LlamaHttp.json(request, 200, Json.object().put("status", "ok"));
        case "GET /v1/models", "GET /models" ->
            LlamaHttp.json(request, 200, ModelsJson.render(sim.options, modelFileSize));
        case "GET /slots" -> slots(request);
        case "GET /metrics" -> metrics(request);
        default -> throw LlamaError.notFound();
      }
    } catch (LlamaError error) {
      LlamaHttp.error(request, error);
    }
  }

  private void slots(HttpServerRequest request) {
    if (!sim.options.slotsEndpoint()) {
      throw LlamaError.notSupported("This server does not support slots endpoint. Start it with `--slots`");
    }
    LlamaHttp.json(request, 200, SlotsJson.render(sim.slots, sim.options.ctxSize()));
  }

  private void metrics(HttpServerRequest request) {
    if (!sim.options.metricsEndpoint()) {
      throw LlamaError.notSupported("This server does not support metrics endpoint. Start it with `--metrics`");
    }
    LlamaHttp.send(request, 200, "text/plain; version=0.0.4",
        sim.metrics.render(sim.slots.busy(), sim.slots.deferred()));
  }

  private void inference(HttpServerRequest request, Endpoint endpoint) {
    if (endpoint == Endpoint.EMBEDDINGS && !sim.options.embeddings()) {
      throw LlamaError.notSupported("This server does not support embeddings. Start it with `--embeddings`");
    }
    if (endpoint == Endpoint.RERANK && !sim.options.reranking()) {
      throw LlamaError.notSupported("This server does not support reranking. Start it with `--reranking`");
    }
    Exchange exchange = new Exchange(sim, request);
    if (endpoint == Endpoint.TRANSCRIPTION) {
      Transcription.read(request, (form, error) -> {
        record(request, form);
        try {
          if (error != null) {
            throw error;
          }
          serve(exchange, endpoint, null);
        } catch (LlamaError thrown) {
          exchange.fail(thrown);
        }
      });
      return;
    }
    // a body that never fully arrives means the client left; the exchange's close handler counts that
    request.body().onSuccess(buffer -> {
      RequestBody body = RequestBody.of(buffer);
      record(request, body.forRecord());
      try {
        serve(exchange, endpoint, body);
      } catch (LlamaError error) {
        exchange.fail(error);
      }
    });
  }

  private void serve(Exchange exchange, Endpoint endpoint, RequestBody body) {
    SimControls controls = SimControls.of(exchange.request.headers(), sim.options);
    switch (controls.fail()) {
      case HANG -> {
        return;
      }
      case ERROR500 -> throw LlamaError.server("simulated failure (" + SimControls.FAIL_HEADER + ": error500)");
      case NONE, DIE_MID_STREAM -> {}
    }
    int nPredict = sim.options.nPredict();
    boolean die = controls.fail() == FailureMode.DIE_MID_STREAM;
    if (endpoint == Endpoint.TRANSCRIPTION) {
      var task = InferenceRequest.uncacheable(1, nPredict);
      exchange.inSlot(task, controls.promptDelayMs(), (slot, promptMs) ->
          exchange.answer(Transcription.response(Math.max(0, nPredict)), die));
      return;
    }
    JsonNode json = body.require();
    switch (endpoint) {
      case CHAT -> generate(exchange, InferenceRequest.chat(json, nPredict), controls, new ChatReply());
      case TEXT -> generate(exchange, InferenceRequest.completion(json, nPredict), controls, new TextReply());
      case MESSAGES -> {
        InferenceRequest task = InferenceRequest.messages(json, nPredict);
        generate(exchange, task, controls, new MessagesReply(task.promptTokens()));
      }
      case RESPONSES -> generate(exchange, InferenceRequest.responses(json, nPredict), controls, new ResponsesReply());
      // tokenizing only: no slot, no generation
      case COUNT_TOKENS -> exchange.answer(
          Json.object().put("input_tokens", InferenceRequest.messages(json, nPredict).promptTokens()), die);
      case EMBEDDINGS -> {
        var inputs = Embeddings.inputs(json);
        var task = InferenceRequest.uncacheable(Embeddings.tokens(inputs), 0);
        exchange.inSlot(task, controls.promptDelayMs(), (slot, promptMs) ->
            exchange.answer(Embeddings.response(inputs, sim.options.modelName()), die));
      }
      case RERANK -> {
        Rerank rerank = Rerank.parse(json);
        var task = InferenceRequest.uncacheable(rerank.tokens(), 0);
        exchange.inSlot(task, controls.promptDelayMs(), (slot, promptMs) ->
            exchange.answer(rerank.response(sim.options.modelName()), die));
      }
    }
  }

  private void generate(Exchange exchange, InferenceRequest task, SimControls controls, GenerationReply reply) {
    if (task.promptTokens() >= sim.options.ctxSize()) {
      throw LlamaError.exceedContext(task.promptTokens(), sim.options.ctxSize());
    }
    new Generation(sim, exchange, task, controls, reply).start();
  }

  private void record(HttpServerRequest request, JsonNode body) {
    if (PROBES.contains(request.path())) {
      return;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    request.headers().forEach(header ->
        headers.merge(header.getKey().toLowerCase(Locale.ROOT), header.getValue(), (a, b) -> a + ", " + b));
    sim.stats.recorded(new SimStats.RecordedRequest(
        request.method().name(), request.path(), Collections.unmodifiableMap(headers), body));
  }

  private static long fileSize(String path) {
    if (path == null) {
      return 0;
    }
    try {
      return Files.size(Path.of(path));
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
