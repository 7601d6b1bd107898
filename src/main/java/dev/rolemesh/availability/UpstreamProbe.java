package dev.rolemesh.availability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.http.Upstream;
import dev.rolemesh.json.Json;
import dev.rolemesh.proxy.Failure;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks an upstream whether it can serve ({@code GET <base>/v1/models}) and remembers the answer for a few seconds,
 * so {@code /v1/models} and {@code /ready} stay cheap under polling. Concurrent askers share one probe in flight.
 * Real traffic also updates the answer: a refused connection marks the upstream down at once, a served request
 * marks it up.
 */
public final class UpstreamProbe {

  private static final ObjectMapper JSON = Json.MAPPER;
  private static final int REASON_LIMIT = 200;

  private final HttpClient client;
  private final Duration timeout;
  private final long ttlNanos;
  private final ConcurrentHashMap<URI, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Future<Availability> result, long expiresAt) {}

  public UpstreamProbe(HttpClient client, Duration timeout, Duration ttl) {
    this.client = client;
    this.timeout = timeout;
    this.ttlNanos = ttl.toNanos();
  }

  public Future<Availability> check(Upstream upstream) {
    long now = System.nanoTime();
    Future<Availability> shared = cache.compute(upstream.baseUrl(), (url, old) ->
        old != null && (old.expiresAt - now > 0 || !old.result.isComplete())
            ? old
            : new Cached(probe(upstream), now + ttlNanos)).result;
    Context caller = Vertx.currentContext();
    if (shared.isComplete() || caller == null) {
      return shared;
    }
    // The probe completes on the event loop that started it; each asker continues on its own.
    Promise<Availability> mine = Promise.promise();
    shared.onComplete(done -> caller.runOnContext(v -> mine.handle(done)));
    return mine.future();
  }

  /** Closes the client once the probes it may still have in flight are over (a new config brought a new probe). */
  public void retire(Vertx vertx) {
    vertx.setTimer(2 * timeout.toMillis() + 1, id -> client.close());
  }

  /** Records what real traffic just showed, so the next listing does not wait for the cache to expire. */
  public void record(Upstream upstream, Availability availability) {
    cache.put(upstream.baseUrl(), new Cached(Future.succeededFuture(availability), System.nanoTime() + ttlNanos));
  }

  /**
   * The upstream must list its models; and since a loading llama-server already answers /v1/models, its /health must
   * not say 503 ("Loading model"). Servers without /health (Ollama answers 404) are judged by /v1/models alone.
   */
  private Future<Availability> probe(Upstream upstream) {
    Promise<Availability> result = Promise.promise();
    get(upstream, "/v1/models")
        .compose(models -> models.statusCode() / 100 != 2
            ? Future.succeededFuture(down(models))
            : get(upstream, "/health").map(health -> health.statusCode() == 503 ? down(health) : Availability.up()))
        .onComplete(done -> result.complete(done.succeeded()
            ? done.result()
            : Availability.down(Failure.classify(done.cause(), new Timeouts(timeout, timeout, null)).detail())));
    return result.future();
  }

  private record Reply(int statusCode, Buffer body) {}

  private Future<Reply> get(Upstream upstream, String path) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setSsl(upstream.ssl())
        .setSslOptions(upstream.tls())
        .setURI(upstream.pathFor(path))
        .setConnectTimeout(timeout.toMillis())
        .setIdleTimeout(timeout.toMillis());
    if (upstream.apiKey() != null) {
      options.putHeader("Authorization", "Bearer " + upstream.apiKey());
    }
    return client.request(options)
        .compose(request -> request.send().compose(response -> response.body()
            .map(body -> new Reply(response.statusCode(), body))));
  }

  private static Availability down(Reply reply) {
    return Availability.down("HTTP " + reply.statusCode() + errorMessage(reply.body()));
  }

  /** The upstream's own explanation (llama-server says "Loading model" while it loads), when it gave one. */
  private static String errorMessage(Buffer body) {
    try {
      JsonNode message = JSON.readTree(body.getBytes()).path("error").path("message");
      if (message.isTextual()) {
        String text = message.asText();
        return ": " + (text.length() > REASON_LIMIT ? text.substring(0, REASON_LIMIT) + "…" : text);
      }
    } catch (java.io.IOException | RuntimeException e) {
      // Not JSON: the status alone has to do.
    }
    return "";
  }
}
