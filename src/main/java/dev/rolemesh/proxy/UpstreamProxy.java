package dev.rolemesh.proxy;

import dev.rolemesh.config.Seconds;
import dev.rolemesh.http.Upstream;
import dev.rolemesh.observability.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;

/**
 * Forwards one client request to one upstream and relays the response as it arrives: status and headers as soon as
 * the upstream sends them, then every body chunk the moment it is read, so SSE tokens are never held back.
 *
 * <p>The client's disconnect is watched from before the upstream request exists, so leaving at any point — while
 * the connection is being made, during prompt processing, or mid-stream — resets the upstream connection at once
 * and the backend stops generating. A failure before anything reached the client is returned to the caller, which
 * may answer with an error or try another backend; after that the client connection is reset, because a truncated
 * stream must never look like a complete one.
 */
public final class UpstreamProxy {

  private final Vertx vertx;
  private final HttpClient client;
  private final String via;
  private final boolean readUsage;

  /**
   * @param via this hop's entry in the {@code Via} header sent upstream (e.g. {@code 1.1 rolemesh-3f2a9c1e}), which
   *     lets a gateway recognise its own requests coming back to it through a misregistered node
   * @param readUsage whether to read token counts from responses as they pass (for metrics)
   */
  public UpstreamProxy(Vertx vertx, HttpClient client, String via, boolean readUsage) {
    this.vertx = vertx;
    this.client = client;
    this.via = via;
    this.readUsage = readUsage;
  }

  /**
   * The result of one exchange.
   *
   * @param responded whether the client got a response head from this exchange (then nobody may answer again)
   * @param ttfbNanos time from start to the first body byte written to the client, or -1
   * @param failure why it did not complete, or null on success
   * @param requestWritten whether the whole request had left for the upstream: if not, the backend cannot have
   *     started on it, and another backend may safely be tried
   * @param inputTokens prompt tokens from the response's usage or timings, or -1 when unknown
   * @param outputTokens generated tokens likewise, or -1
   */
  public record Outcome(int status, boolean responded, long bytes, long ttfbNanos, Failure failure,
      boolean requestWritten, long inputTokens, long outputTokens) {}

  /**
   * Runs the exchange; the returned future always succeeds, with an {@link Outcome} describing what happened.
   *
   * @param path the canonical path the request was routed by (never the raw one, whose dot segments or encodings
   *     the upstream might resolve differently); the query string is forwarded as the client sent it
   * @param startedNanos when the client's request began ({@link System#nanoTime()}): {@code total_s} counts from
   *     there, so trying a second backend does not restart the clock
   */
  public Future<Outcome> forward(HttpServerRequest request, String path, Upstream upstream, Buffer body,
      String requestId, long startedNanos) {
    return new Exchange(request, path, upstream, requestId, startedNanos).start(body);
  }

  private final class Exchange {
    private final HttpServerRequest request;
    private final String path;
    private final HttpServerResponse response;
    private final Upstream upstream;
    private final String requestId;
    private final Promise<Outcome> outcome = Promise.promise();
    private final long started = System.nanoTime();
    private final long requestStarted;
    /** Null when token counts are not wanted. */
    private final UsageScanner usage = readUsage ? new UsageScanner() : null;
    private HttpClientRequest upstreamRequest;
    private long totalTimer = -1;
    private long readTimer = -1;
    private long lastRead = started;
    /** While the client reads slower than the backend writes, the backend's silence is the gateway's doing. */
    private boolean paused;
    /** Set the first time the client falls behind. */
    private BackendReads backendReads;
    private long pausedAt;
    private boolean headCopied;
    private boolean requestWritten;
    private long bytes;
    private long ttfbNanos = -1;
    private int status;

    Exchange(HttpServerRequest request, String path, Upstream upstream, String requestId, long requestStarted) {
      this.requestStarted = requestStarted;
      this.request = request;
      this.path = path;
      this.response = request.response();
      this.upstream = upstream;
      this.requestId = requestId;
    }

    Future<Outcome> start(Buffer body) {
      // Registered before the upstream request exists, so a client that leaves during connect is not missed.
      response.closeHandler(v -> fail(new Failure(Failure.Kind.CLIENT_GONE, "client disconnected")));
      if (upstream.timeouts().total() != null) {
        long leftMs = (upstream.timeouts().total().toNanos() - (started - requestStarted)) / 1_000_000;
        totalTimer = vertx.setTimer(Math.max(1, leftMs), id -> fail(new Failure(
            Failure.Kind.TOTAL_TIMEOUT, "exceeded total_s=" + Seconds.format(upstream.timeouts().total()))));
      }
      armReadTimer(Math.min(upstream.timeouts().read().toMillis(), upstream.timeouts().writeStall().toMillis()));
      client.request(options()).onComplete(created -> {
        if (created.failed()) {
          fail(Failure.connecting(created.cause(), upstream.timeouts()));
        } else if (isDone()) {
          created.result().reset();
        } else {
          upstreamRequest = created.result();
          addHeaders(upstreamRequest.headers());
          upstreamRequest.response().onComplete(answered -> {
            if (answered.failed()) {
              fail(Failure.classify(answered.cause(), upstream.timeouts()));
            } else if (!isDone()) {
              relay(answered.result());
            }
          });
          upstreamRequest.end(body).onComplete(written -> {
            if (written.succeeded()) {
              requestWritten = true;
            } else {
              fail(Failure.classify(written.cause(), upstream.timeouts()));
            }
          });
        }
      });
      return outcome.future();
    }

    private void addHeaders(MultiMap headers) {
      HopHeaders.copyForUpstream(request.headers(), headers);
      headers.set(RequestIds.HEADER, requestId);
      headers.add("Via", via);
      if (upstream.apiKey() != null) {
        headers.set("Authorization", "Bearer " + upstream.apiKey());
      }
    }

    private RequestOptions options() {
      return new RequestOptions()
          .setMethod(request.method() == null ? HttpMethod.POST : request.method())
          .setHost(upstream.host())
          .setPort(upstream.port())
          .setSsl(upstream.ssl())
          .setSslOptions(upstream.tls())
          .setURI(request.query() == null ? upstream.pathFor(path) : upstream.pathFor(path) + "?" + request.query())
          .setConnectTimeout(upstream.timeouts().connect().toMillis());
    }

    /**
     * One timer per exchange, re-arming itself, watches two limits. read_s is a limit on the upstream's silence,
     * before the headers and between chunks alike; time paused for a slow client does not count. write_stall_s is
     * a limit on that pause: a client that stopped reading must not hold the backend's slot forever. The timer never
     * sleeps longer than write_stall_s, so a pause that starts between two firings is caught on time.
     */
    private void armReadTimer(long delayMs) {
      readTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
        if (isDone()) {
          return;
        }
        long now = System.nanoTime();
        long stallLimit = upstream.timeouts().writeStall().toNanos();
        if (paused) {
          long stalled = now - pausedAt;
          if (stalled >= stallLimit) {
            fail(new Failure(Failure.Kind.WRITE_STALL, "client stopped reading: nothing could be written for"
                + " write_stall_s=" + Seconds.format(upstream.timeouts().writeStall())));
          } else {
            armReadTimer((stallLimit - stalled) / 1_000_000 + 1);
          }
          return;
        }
        long readLimit = upstream.timeouts().read().toNanos();
        long silent = now - lastRead;
        if (silent >= readLimit) {
          fail(new Failure(Failure.Kind.READ_TIMEOUT,
              "no data within read_s=" + Seconds.format(upstream.timeouts().read())));
        } else {
          armReadTimer(Math.min(readLimit - silent, stallLimit) / 1_000_000 + 1);
        }
      });
    }

    private void relay(HttpClientResponse upstreamResponse) {
      lastRead = System.nanoTime();
      if (upstreamResponse.statusCode() < 100 || upstreamResponse.statusCode() > 599) {
        fail(new Failure(Failure.Kind.UPSTREAM_ERROR,
            "upstream answered with status " + upstreamResponse.statusCode() + ", which is not an HTTP status"));
        return;
      }
      status = upstreamResponse.statusCode();
      // Not for HTTP/1.0: Vert.x's writeHead() would add chunked framing that such a client cannot read (the head
      // then goes out with the first chunk, whose write frames the body correctly).
      if (upstreamResponse.getHeader("Content-Length") == null && request.version() != HttpVersion.HTTP_1_0) {
        // A stream (SSE): the client learns at once that its answer is coming.
        copyHead(upstreamResponse);
        response.writeHead();
      }
      upstreamResponse.exceptionHandler(error -> fail(Failure.classify(error, upstream.timeouts())));
      upstreamResponse.handler(chunk -> {
        lastRead = System.nanoTime();
        if (ttfbNanos < 0) {
          ttfbNanos = lastRead - started;
        }
        bytes += chunk.length();
        if (usage != null) {
          usage.scan(chunk);
        }
        // A response of known length goes out with its first bytes: one packet instead of two.
        copyHead(upstreamResponse);
        response.write(chunk);
        // Chunks already read keep coming for a moment after the stop (and all of the rest once the backend has
        // closed): they join the client's queue, which is what bounds them.
        if (!paused && response.writeQueueFull()) {
          stopReading();
        }
      });
      upstreamResponse.endHandler(v -> {
        if (!isDone()) {
          // Finished first: over HTTP/2 (h2c), end() closes the stream and runs the close handler right away,
          // which must not count a complete response as a client that left.
          finish(null);
          copyHead(upstreamResponse);
          response.end();
        }
      });
    }

    private void stopReading() {
      if (backendReads == null) {
        backendReads = BackendReads.of(upstreamRequest.connection());
      }
      backendReads.stop();
      paused = true;
      pausedAt = System.nanoTime();
      response.drainHandler(v -> {
        if (paused && !isDone()) {
          paused = false;
          lastRead = System.nanoTime();
          backendReads.restart();
        }
      });
    }

    /** Status and headers for the client, once; until then a failure can still be answered with an error. */
    private void copyHead(HttpClientResponse upstreamResponse) {
      if (headCopied) {
        return;
      }
      headCopied = true;
      response.setStatusCode(status);
      response.setStatusMessage(upstreamResponse.statusMessage());
      HopHeaders.copyForClient(upstreamResponse.headers(), response.headers());
      response.putHeader(RequestIds.HEADER, requestId);
      String length = upstreamResponse.getHeader("Content-Length");
      if (length != null) {
        response.putHeader("Content-Length", length);
      } else {
        // Ignored for an HTTP/1.0 client, which has no chunked framing: its body ends with the connection.
        response.setChunked(true);
      }
    }

    private void fail(Failure failure) {
      if (isDone()) {
        return;
      }
      // Decided before finish(), whose caller may answer with an error when nothing was sent yet; finished before
      // the resets, which can run the exception and close handlers (and so this method) again at once.
      boolean resetClient = response.headWritten();
      finish(failure);
      if (upstreamRequest != null) {
        upstreamRequest.reset();
      }
      if (resetClient && !response.closed()) {
        response.reset();
      }
    }

    private boolean isDone() {
      return outcome.future().isComplete();
    }

    private void finish(Failure failure) {
      vertx.cancelTimer(readTimer);
      if (paused) {
        // The end can arrive with the reads stopped (it was read with the last chunks): the connection may be reused.
        paused = false;
        backendReads.restart();
      }
      if (totalTimer >= 0) {
        vertx.cancelTimer(totalTimer);
      }
      boolean responded = response.headWritten();
      int reported = responded || failure == null ? status : failure.kind().status();
      outcome.complete(new Outcome(reported, responded, bytes, ttfbNanos, failure, requestWritten,
          usage == null ? -1 : usage.inputTokens(), usage == null ? -1 : usage.outputTokens()));
    }
  }
}
