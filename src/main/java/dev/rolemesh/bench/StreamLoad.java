package dev.rolemesh.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.List;

/**
 * Opens many concurrent streaming chat completions, each on its own connection, and measures every chunk: its delay
 * (receive time minus the simulator's {@code sim_sent_us} send stamp, both on this machine's clock), the time to the
 * first chunk, and whether every stream arrived whole ({@code [DONE]} and all {@code tokens + 2} chunks: the
 * role chunk, one per token, the finish chunk).
 *
 * <p>Streams are opened at {@code rampPerSecond} so the listen backlog never overflows; stream {@code i} goes to
 * {@code urls[i % urls.size()]} and names backend {@code i % backends} (model {@code bench-k} and header
 * {@code X-Bench-Backend: k}), so one run can spread over several simulator processes behind any proxy.
 */
final class StreamLoad {

  record Settings(
      List<String> urls,
      int streams,
      int tokens,
      long tokenDelayMs,
      int rampPerSecond,
      int backends,
      long timeoutMs,
      List<Long> rssPids) {}

  private final Vertx vertx;
  private final Settings settings;
  private final EpochClock clock = new EpochClock();
  private final Samples chunkDelay;
  private final Samples firstChunk;
  private final Promise<Void> finished = Promise.promise();
  private HttpClient client;
  private int started;
  private int ended;
  private int complete;
  private int open;
  private int openPeak;
  private int failed;
  private long unstamped;
  private long chunks;
  private String firstError;

  StreamLoad(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.chunkDelay = new Samples(settings.streams() * (settings.tokens() + 2));
    this.firstChunk = new Samples(settings.streams());
  }

  ObjectNode run() throws Exception {
    for (long pid : settings.rssPids()) {
      ProcStatus.resetPeak(pid);
    }
    long begin = System.nanoTime();
    vertx.runOnContext(v -> start());
    try {
      finished.future().toCompletionStage().toCompletableFuture()
          .get(settings.timeoutMs() + 5_000, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      // reported below: whatever did not end counts as incomplete
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    ObjectNode result = Json.object();
    synchronized (this) {
      result.put("streams", settings.streams())
          .put("tokens", settings.tokens())
          .put("token_delay_ms", settings.tokenDelayMs())
          .put("backends", settings.backends())
          .put("complete", complete)
          .put("failed", failed)
          .put("unfinished", settings.streams() - ended)
          .put("open_peak", openPeak)
          .put("chunks", chunks)
          .put("unstamped", unstamped)
          .put("seconds", Math.round(seconds * 100) / 100.0)
          .putPOJO("chunk_p50_ms", chunkDelay.percentileMs(50))
          .putPOJO("chunk_p99_ms", chunkDelay.percentileMs(99))
          .putPOJO("chunk_max_ms", chunkDelay.percentileMs(100))
          .putPOJO("ttfc_p50_ms", firstChunk.percentileMs(50))
          .putPOJO("ttfc_p99_ms", firstChunk.percentileMs(99));
      if (firstError != null) {
        result.put("first_error", firstError);
      }
    }
    long peakKib = 0;
    for (long pid : settings.rssPids()) {
      long kib = ProcStatus.kib(pid, "VmHWM");
      peakKib += Math.max(0, kib);
    }
    if (!settings.rssPids().isEmpty()) {
      result.put("rss_peak_mib", ProcStatus.mib(peakKib));
    }
    vertx.runOnContext(v -> client.close());
    return result;
  }

  private void start() {
    client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(10_000),
        new PoolOptions().setHttp1MaxSize(settings.streams()));
    Buffer[] bodies = new Buffer[settings.backends()];
    for (int k = 0; k < bodies.length; k++) {
      bodies[k] = Buffer.buffer(Json.object()
          .put("model", "bench-" + k)
          .<ObjectNode>set("messages", Json.array().add(Json.object().put("role", "user").put("content", "Hi")))
          .put("stream", true)
          .put("max_tokens", settings.tokens())
          .put("ignore_eos", true)
          .toString());
    }
    long perTick = Math.max(1, settings.rampPerSecond() / 100);
    vertx.setPeriodic(0, 10, timer -> {
      for (int n = 0; n < perTick && started < settings.streams(); n++) {
        int i = started++;
        int backend = i % settings.backends();
        stream(settings.urls().get(i % settings.urls().size()), backend, bodies[backend]);
      }
      if (started == settings.streams()) {
        vertx.cancelTimer(timer);
      }
    });
    vertx.setTimer(settings.timeoutMs(), id -> finished.tryComplete());
  }

  private void stream(String url, int backend, Buffer body) {
    long t0 = System.nanoTime();
    Stream stream = new Stream(t0);
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(url)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Bench-Backend", Integer.toString(backend))
        .putHeader("X-Sim-Token-Delay-Ms", Long.toString(settings.tokenDelayMs()));
    client.request(options)
        .compose(request -> request.send(body))
        .onComplete(sent -> {
          if (sent.failed()) {
            stream.fail(String.valueOf(sent.cause()));
          } else {
            stream.receive(sent.result());
          }
        });
  }

  private final class Stream implements SseScanner.Listener {
    private final long t0;
    private final SseScanner scanner = new SseScanner(this);
    private int events;
    private boolean done;
    private boolean over;
    private boolean opened;
    private long receivedMicros;

    Stream(long t0) {
      this.t0 = t0;
    }

    void receive(HttpClientResponse response) {
      if (response.statusCode() != 200) {
        response.body().onComplete(body -> fail("HTTP " + response.statusCode() + ": "
            + (body.succeeded() ? body.result().toString() : "")));
        return;
      }
      opened = true;
      synchronized (StreamLoad.this) {
        open++;
        openPeak = Math.max(openPeak, open);
      }
      response.handler(buffer -> {
        receivedMicros = clock.micros();
        scanner.feed(buffer.getBytes());
      });
      response.exceptionHandler(error -> fail(String.valueOf(error)));
      response.endHandler(v -> {
        if (done && events == settings.tokens() + 2) {
          end(true, null);
        } else {
          fail("stream ended after " + events + " of " + (settings.tokens() + 2) + " chunks"
              + (done ? "" : " without [DONE]"));
        }
      });
    }

    @Override
    public void event(long sentMicros) {
      synchronized (StreamLoad.this) {
        if (events++ == 0) {
          firstChunk.add((System.nanoTime() - t0) / 1_000);
        }
        chunks++;
        if (sentMicros < 0) {
          unstamped++;
        } else {
          chunkDelay.add(receivedMicros - sentMicros);
        }
      }
    }

    @Override
    public void done() {
      done = true;
    }

    void fail(String why) {
      end(false, why);
    }

    private void end(boolean ok, String why) {
      if (over) {
        return;
      }
      over = true;
      synchronized (StreamLoad.this) {
        if (opened) {
          open--;
        }
        ended++;
        if (ok) {
          complete++;
        } else {
          failed++;
          if (firstError == null) {
            firstError = why;
          }
        }
        if (ended == settings.streams()) {
          finished.tryComplete();
        }
      }
    }
  }
}
