package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.BiConsumer;

/**
 * The life of one inference request: counted active from arrival, it ends exactly once, as completed, aborted (the
 * simulator cut it off) or cancelled (the client went away first). Cancellation stops the pending timer at once,
 * withdraws a request still waiting for a slot and frees a held slot, like llama-server's {@code srv stop: cancel
 * task}. The exchange ends before its last bytes are written, so a client that has the whole answer also sees the
 * request counted and its slot free.
 */
final class Exchange {

  private static final Runnable NOTHING = () -> {};

  final HttpServerRequest request;
  private final SimState sim;
  private long timerId = -1;
  private Runnable withdraw = NOTHING;
  private SlotPool.Slot slot;
  private boolean over;

  Exchange(SimState sim, HttpServerRequest request) {
    this.sim = sim;
    this.request = request;
    sim.stats.started();
    request.response().closeHandler(ignored -> cancel());
  }

  boolean over() {
    return over;
  }

  /**
   * Waits for a slot, starts {@code task} on it, spends the prompt time (the prompt delay plus
   * {@code --prompt-ms-per-token} for each token the slot's cache does not hold), then hands {@code work} the slot
   * and the prompt time in milliseconds. The slot stays held until the exchange ends.
   */
  void inSlot(InferenceRequest task, long promptDelayMs, BiConsumer<SlotPool.Slot, Double> work) {
    withdraw = sim.slots.acquire(task.prompt(), acquired -> {
      withdraw = NOTHING;
      slot = acquired;
      int processed = sim.slots.begin(acquired, task).processedTokens();
      long start = System.nanoTime();
      after(promptDelayMs + Math.round(sim.options.promptMsPerToken() * processed), () -> {
        double promptMs = millisSince(start);
        sim.metrics.promptProcessed(processed, promptMs, sim.slots.busy());
        work.accept(acquired, promptMs);
      });
    });
  }

  /** Runs {@code action} after {@code delayMs}, or on the next event-loop turn for 0; cancellation skips it. */
  void after(long delayMs, Runnable action) {
    if (delayMs == 0) {
      sim.vertx.runOnContext(ignored -> {
        if (!over) {
          action.run();
        }
      });
    } else {
      timerId = sim.vertx.setTimer(delayMs, id -> {
        timerId = -1;
        action.run();
      });
    }
  }

  /** Sends a whole JSON answer, or only half of it when the request is to die mid-answer. */
  void answer(JsonNode body, boolean die) {
    if (die) {
      aborted();
      LlamaHttp.truncated(request, body);
    } else {
      completed();
      LlamaHttp.json(request, 200, body);
    }
  }

  void fail(LlamaError error) {
    completed();
    LlamaHttp.error(request, error);
  }

  void completed() {
    end(sim.stats::completed);
  }

  /** Ends the exchange as cut off by the simulator; the caller closes the connection. */
  void aborted() {
    end(sim.stats::aborted);
  }

  private void cancel() {
    if (over) {
      return;
    }
    if (timerId >= 0) {
      sim.vertx.cancelTimer(timerId);
    }
    withdraw.run();
    end(sim.stats::cancelled);
  }

  private void end(Runnable count) {
    if (over) {
      return;
    }
    over = true;
    if (slot != null) {
      sim.slots.release(slot);
      slot = null;
    }
    count.run();
  }

  static double millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }
}
