package dev.rolemesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;

/**
 * How long after a client leaves the backend notices. Each trial opens one streaming request, closes its connection
 * at a known instant, then polls the simulator's {@code GET /sim/stats} until {@code cancelled_total} grows; the
 * delay is {@code last_cancel_epoch_ms} minus the close instant (both wall-clock, so the resolution is the
 * simulator's millisecond).
 *
 * <ul>
 *   <li>{@code mid}: the simulator streams a token every {@value #MID_TOKEN_DELAY_MS} ms; the client leaves
 *       {@value #MID_CLOSE_AFTER_MS} ms after its {@value #MID_CHUNKS}th chunk, between two tokens.
 *   <li>{@code prompt}: the simulator spends {@value #PROMPT_DELAY_MS} ms on the prompt before any byte; the client
 *       leaves after {@value #PROMPT_CLOSE_AFTER_MS} ms, so the gateway is still waiting for response headers.
 * </ul>
 */
final class CancelProbe {

  static final long MID_TOKEN_DELAY_MS = 40;
  static final int MID_CHUNKS = 3;
  static final long MID_CLOSE_AFTER_MS = 13;
  static final long PROMPT_DELAY_MS = 5_000;
  static final long PROMPT_CLOSE_AFTER_MS = 150;
  static final long SEEN_TIMEOUT_MS = 3_000;

  enum Mode { MID, PROMPT }

  private final Vertx vertx;
  private final String url;
  private final String statsUrl;
  private final Mode mode;
  private final EpochClock clock = new EpochClock();
  private HttpClient client;
  private HttpClient statsClient;

  CancelProbe(Vertx vertx, String url, String statsUrl, Mode mode) {
    this.vertx = vertx;
    this.url = url;
    this.statsUrl = statsUrl;
    this.mode = mode;
  }

  ObjectNode run(int trials) throws Exception {
    client = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true));
    statsClient = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true));
    Samples delays = new Samples(trials);
    int unseen = 0;
    String firstError = null;
    try {
      // One unrecorded trial first, for every target alike: a proxy's first abandoned request runs code (and loads
      // classes) that nothing before it needed, which says nothing about how fast cancellation is.
      try {
        awaitTrial();
      } catch (Exception ignored) {
        // A real failure shows again in the recorded trials.
      }
      for (int i = 0; i < trials; i++) {
        try {
          Double delayMs = awaitTrial();
          if (delayMs == null) {
            unseen++;
          } else {
            delays.add(Math.round(delayMs * 1000));
          }
        } catch (Exception e) {
          unseen++;
          if (firstError == null) {
            firstError = String.valueOf(e.getCause() != null ? e.getCause() : e);
          }
        }
      }
    } finally {
      client.close();
      statsClient.close();
    }
    ObjectNode result = Json.object()
        .put("mode", mode.name().toLowerCase(java.util.Locale.ROOT))
        .put("trials", trials)
        .put("seen", delays.size())
        .put("unseen", unseen)
        .putPOJO("p50_ms", delays.percentileMs(50))
        .putPOJO("max_ms", delays.percentileMs(100));
    if (firstError != null) {
      result.put("first_error", firstError);
    }
    return result;
  }

  /** Runs one trial from this (non-event-loop) thread, bounded by the longest a trial can legitimately take. */
  private Double awaitTrial() throws Exception {
    return trial().toCompletionStage().toCompletableFuture()
        .get(PROMPT_DELAY_MS + SEEN_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
  }

  /** One trial: the delay in ms, or null when the simulator never counted the cancellation. */
  private Future<Double> trial() {
    return cancelled().compose(before -> {
      Promise<Long> closedAt = Promise.promise();
      RequestOptions options = new RequestOptions()
          .setMethod(HttpMethod.POST)
          .setAbsoluteURI(url)
          .putHeader("Content-Type", "application/json")
          .putHeader("X-Bench-Backend", "0");
      if (mode == Mode.MID) {
        options.putHeader("X-Sim-Token-Delay-Ms", Long.toString(MID_TOKEN_DELAY_MS));
      } else {
        options.putHeader("X-Sim-Prompt-Delay-Ms", Long.toString(PROMPT_DELAY_MS));
      }
      Buffer body = Buffer.buffer(Json.object()
          .put("model", "bench-0")
          .<ObjectNode>set("messages", Json.array().add(Json.object().put("role", "user").put("content", "Hi")))
          .put("stream", true)
          .put("max_tokens", 500)
          .put("ignore_eos", true)
          .toString());
      client.request(options).onComplete(created -> {
        if (created.failed()) {
          closedAt.tryFail(created.cause());
          return;
        }
        HttpClientRequest request = created.result();
        if (mode == Mode.PROMPT) {
          vertx.setTimer(PROMPT_CLOSE_AFTER_MS, id -> closedAt.tryComplete(close(request)));
        }
        request.send(body).onComplete(sent -> {
          if (sent.failed()) {
            closedAt.tryFail(new IllegalStateException("request failed before the close: " + sent.cause()));
            return;
          }
          if (mode == Mode.PROMPT) {
            closedAt.tryFail(new IllegalStateException("response arrived before the close"));
            return;
          }
          int[] chunks = {0};
          sent.result().handler(chunk -> {
            if (++chunks[0] == MID_CHUNKS) {
              vertx.setTimer(MID_CLOSE_AFTER_MS, id -> closedAt.tryComplete(close(request)));
            }
          });
          sent.result().exceptionHandler(error -> { });
        });
      });
      return closedAt.future().compose(closeMicros -> awaitCancel(before, closeMicros, System.nanoTime()));
    });
  }

  private long close(HttpClientRequest request) {
    long now = clock.micros();
    request.connection().close();
    return now;
  }

  private Future<Double> awaitCancel(long before, long closeMicros, long pollStart) {
    return stats().compose(stats -> {
      if (stats.path("cancelled_total").asLong() > before) {
        return Future.succeededFuture(stats.path("last_cancel_epoch_ms").asLong() - closeMicros / 1000.0);
      }
      if (System.nanoTime() - pollStart > SEEN_TIMEOUT_MS * 1_000_000) {
        return Future.succeededFuture(null);
      }
      Promise<Void> pause = Promise.promise();
      vertx.setTimer(1, id -> pause.complete());
      return pause.future().compose(v -> awaitCancel(before, closeMicros, pollStart));
    });
  }

  private Future<Long> cancelled() {
    return stats().map(stats -> stats.path("cancelled_total").asLong());
  }

  private Future<JsonNode> stats() {
    return statsClient.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(statsUrl))
        .compose(HttpClientRequest::send)
        .compose(response -> response.body())
        .map(body -> Json.parse(body.toString()));
  }
}
