package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;

/**
 * Generates one answer on the event loop: after the slot and the prompt delay, one story token per step, each
 * streamed as its own chunk, with the token delay between steps. Without a delay it still yields the event loop every
 * {@value #TOKENS_PER_TURN} tokens, and it pauses while the client's write queue is full.
 *
 * <p>The answer ends with {@code length} after {@code n_predict} tokens or when the context is full, or with
 * {@code stop} when the story runs out first.
 */
final class Generation {

  /** Content tokens streamed before {@code die-mid-stream} closes the connection. */
  static final int DIE_AFTER_TOKENS = 2;

  private static final int TOKENS_PER_TURN = 64;

  private final SimState sim;
  private final Exchange exchange;
  private final InferenceRequest task;
  private final SimControls controls;
  private final GenerationReply reply;
  private final Outcome.Identity identity;
  private final HttpServerResponse response;
  private final int limit;
  private final String finishReason;
  private final boolean dying;
  private SlotPool.Slot slot;
  private double promptMs;
  private long generationStart;
  private int produced;
  private Future<Void> lastWrite = Future.succeededFuture();

  Generation(SimState sim, Exchange exchange, InferenceRequest task, SimControls controls, GenerationReply reply) {
    this.sim = sim;
    this.exchange = exchange;
    this.task = task;
    this.controls = controls;
    this.reply = reply;
    this.identity = Outcome.Identity.fresh(sim.options.modelName());
    this.response = exchange.request.response();
    int room = sim.options.ctxSize() - task.promptTokens();
    int wanted = task.nPredict() < 0 ? room : Math.min(task.nPredict(), room);
    int story = task.ignoreEos() ? Integer.MAX_VALUE : TokenSource.storyLength();
    this.limit = Math.min(wanted, story);
    this.finishReason = story < wanted ? "stop" : "length";
    this.dying = controls.fail() == FailureMode.DIE_MID_STREAM;
  }

  void start() {
    exchange.inSlot(task, controls.promptDelayMs(), this::begin);
  }

  private void begin(SlotPool.Slot acquired, double promptMillis) {
    slot = acquired;
    promptMs = promptMillis;
    generationStart = System.nanoTime();
    if (task.stream()) {
      LlamaHttp.startStream(response);
      reply.opening(identity).forEach(this::send);
    }
    produce();
  }

  private void produce() {
    for (int step = 0; step < TOKENS_PER_TURN; step++) {
      if (exchange.over()) {
        return;
      }
      if (dying && task.stream() && produced == Math.min(DIE_AFTER_TOKENS, limit)) {
        exchange.aborted();
        lastWrite.onComplete(ignored -> exchange.request.connection().close());
        return;
      }
      if (produced == limit) {
        finish();
        return;
      }
      if (task.stream() && response.writeQueueFull()) {
        // one-shot: a handler left behind would start a second producer on a later drain
        response.drainHandler(ignored -> {
          response.drainHandler(null);
          produce();
        });
        return;
      }
      String token = TokenSource.token(produced++);
      slot.decoded = produced;
      sim.metrics.tokenPredicted(sim.slots.busy());
      if (task.stream()) {
        send(reply.token(identity, token));
      }
      if (controls.tokenDelayMs() > 0 && produced < limit) {
        exchange.after(controls.tokenDelayMs(), this::produce);
        return;
      }
    }
    exchange.after(0, this::produce);
  }

  private void finish() {
    double predictedMs = Exchange.millisSince(generationStart);
    sim.metrics.generationTime(predictedMs);
    Outcome outcome = new Outcome(
        identity, task.promptTokens(), slot.task.cachedTokens(), produced, TokenSource.text(produced), finishReason,
        new Outcome.Timings(slot.task.cachedTokens(), slot.task.processedTokens(), promptMs, produced, predictedMs));
    if (!task.stream()) {
      exchange.answer(reply.full(outcome), dying);
      return;
    }
    reply.closing(outcome, task.includeUsage()).forEach(this::send);
    exchange.completed();
    if (reply.namedEvents()) {
      response.end();
    } else {
      response.end("data: [DONE]\n\n");
    }
  }

  private void send(ObjectNode chunk) {
    if (sim.options.stamp()) {
      chunk.put("sim_sent_us", sim.epochMicros());
    }
    String data = "data: " + Json.write(chunk) + "\n\n";
    lastWrite = response.write(reply.namedEvents() ? "event: " + chunk.get("type").asText() + "\n" + data : data);
  }
}
