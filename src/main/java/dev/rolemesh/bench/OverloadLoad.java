package dev.rolemesh.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A role driven past its slots: {@code clients} clients, each sending its next chat completion as soon as the last
 * one is answered, until {@code requests} were sent. Counts what the clients got: answers, 503s with
 * {@code Retry-After} (the queue refusing: how fast, since a refusal must cost a client nothing), and anything else
 * (a failure). The gateway's queue waits are in its own log ({@code queue_ms}) and metrics.
 */
final class OverloadLoad {

  record Settings(String url, String model, int clients, int requests, int maxTokens, long timeoutMs) {}

  private final Settings settings;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  OverloadLoad(Settings settings) {
    this.settings = settings;
  }

  ObjectNode run() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    Samples answered = new Samples(settings.requests());
    Samples refused = new Samples(settings.requests());
    AtomicInteger refusedWithoutRetryAfter = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    String body = "{\"model\":\"" + settings.model() + "\",\"max_tokens\":" + settings.maxTokens()
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Summarise the queue.\"}]}";
    long start = System.nanoTime();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < settings.clients(); c++) {
        threads.submit(() -> {
          while (sent.getAndIncrement() < settings.requests()) {
            long began = System.nanoTime();
            int status;
            boolean retryAfter;
            try {
              HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(settings.url()))
                  .timeout(Duration.ofMillis(settings.timeoutMs()))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
              status = response.statusCode();
              retryAfter = response.headers().firstValue("Retry-After").isPresent();
            } catch (Exception e) {
              failed.incrementAndGet();
              continue;
            }
            long micros = (System.nanoTime() - began) / 1000;
            if (status == 200) {
              synchronized (answered) {
                answered.add(micros);
              }
            } else if (status == 503) {
              synchronized (refused) {
                refused.add(micros);
              }
              if (!retryAfter) {
                refusedWithoutRetryAfter.incrementAndGet();
              }
            } else {
              failed.incrementAndGet();
            }
          }
          return null;
        });
      }
    }
    return Json.object()
        .put("model", settings.model())
        .put("clients", settings.clients())
        .put("requests", settings.requests())
        .put("answered", answered.size())
        .put("refused", refused.size())
        .put("refused_without_retry_after", refusedWithoutRetryAfter.get())
        .put("failed", failed.get())
        .put("answered_p50_ms", answered.percentileMs(50))
        .put("answered_p99_ms", answered.percentileMs(99))
        .put("refused_p50_ms", refused.percentileMs(50))
        .put("refused_p99_ms", refused.percentileMs(99))
        .put("refused_max_ms", refused.percentileMs(100))
        .put("elapsed_ms", (System.nanoTime() - start) / 1_000_000);
  }
}
