package dev.rolemesh.availability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.proxy.Failure;
import dev.rolemesh.routing.Upstream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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

  private static final ObjectMapper JSON = new ObjectMapper();
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
    Cached cached = cache.compute(upstream.baseUrl(), (url, old) ->
        old != null && (old.expiresAt - now > 0 || !old.result.isComplete())
            ? old
            : new Cached(probe(upstream), now + ttlNanos));
    return cached.result;
  }

  /** Records what real traffic just showed, so the next listing does not wait for the cache to expire. */
  public void record(Upstream upstream, Availability availability) {
    cache.put(upstream.baseUrl(), new Cached(Future.succeededFuture(availability), System.nanoTime() + ttlNanos));
  }

  private Future<Availability> probe(Upstream upstream) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setSsl(upstream.ssl())
        .setURI(upstream.pathFor("/v1/models"))
        .setConnectTimeout(timeout.toMillis())
        .setIdleTimeout(timeout.toMillis());
    if (upstream.apiKey() != null) {
      options.putHeader("Authorization", "Bearer " + upstream.apiKey());
    }
    Promise<Availability> result = Promise.promise();
    client.request(options)
        .compose(request -> request.send().compose(response -> response.body().map(body ->
            response.statusCode() / 100 == 2
                ? Availability.up()
                : Availability.down("HTTP " + response.statusCode() + errorMessage(body)))))
        .onComplete(done -> result.complete(done.succeeded()
            ? done.result()
            : Availability.down(Failure.classify(done.cause(), new Timeouts(timeout, timeout, null)).detail())));
    return result.future();
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
