package dev.rolemesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The multi-turn agent scenario: {@code sessions} conversations of {@code turns} steps, {@code concurrency} sessions at
 * a time, each step resending the whole conversation so far (a system prompt, then every question and answer) as a
 * streamed chat completion with usage. Measures how much of the prompt the backends found in their slots
 * ({@code prompt_tokens_details.cached_tokens}) and the time to the first content chunk. With several URLs, session
 * {@code i} always uses URL {@code i % n}: the session-sticky oracle. Sessions share a tool preamble and differ from
 * their task on, like an agent framework's runs.
 */
final class AgentLoad {

  record Settings(List<String> urls, String model, int sessions, int turns, int concurrency, int systemChars,
      int turnChars, int maxTokens, long timeoutMs) {}

  private record Step(long ttftMicros, int promptTokens, int cachedTokens, boolean ok) {}

  private static final String WORDS = "the agent reads the file then calls a tool and checks the result before it ";

  private final Settings settings;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  AgentLoad(Settings settings) {
    this.settings = settings;
  }

  ObjectNode run() throws Exception {
    Semaphore running = new Semaphore(settings.concurrency());
    List<Future<List<Step>>> sessions = new ArrayList<>();
    long start = System.nanoTime();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int s = 0; s < settings.sessions(); s++) {
        int session = s;
        sessions.add(threads.submit(() -> {
          running.acquire();
          try {
            return session(session);
          } finally {
            running.release();
          }
        }));
      }
    }
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    Samples ttft = new Samples(settings.sessions() * settings.turns());
    long prompt = 0;
    long cached = 0;
    int failed = 0;
    for (Future<List<Step>> session : sessions) {
      for (Step step : session.get()) {
        if (!step.ok()) {
          failed++;
          continue;
        }
        ttft.add(step.ttftMicros());
        prompt += step.promptTokens();
        cached += step.cachedTokens();
      }
    }
    return Json.object()
        .put("model", settings.model())
        .put("sessions", settings.sessions())
        .put("turns", settings.turns())
        .put("concurrency", settings.concurrency())
        .put("requests", settings.sessions() * settings.turns())
        .put("failed", failed)
        .put("prompt_tokens", prompt)
        .put("cached_tokens", cached)
        .put("uncached_tokens", prompt - cached)
        .put("reuse", prompt == 0 ? 0.0 : Math.round(1000.0 * cached / prompt) / 1000.0)
        .put("ttft_p50_ms", ttft.percentileMs(50))
        .put("ttft_p99_ms", ttft.percentileMs(99))
        .put("elapsed_ms", elapsedMs);
  }

  private List<Step> session(int session) {
    String url = settings.urls().get(session % settings.urls().size());
    ArrayNode messages = Json.array();
    String preamble = text(settings.systemChars() / 2, "tools: ");
    messages.addObject().put("role", "system")
        .put("content", preamble + text(settings.systemChars() - preamble.length(), "task " + session + ": "));
    List<Step> steps = new ArrayList<>();
    for (int turn = 0; turn < settings.turns(); turn++) {
      messages.addObject().put("role", "user")
          .put("content", text(settings.turnChars(), "session " + session + " step " + turn + ": "));
      ObjectNode body = Json.object().put("model", settings.model()).put("stream", true)
          .put("max_tokens", settings.maxTokens());
      body.putObject("stream_options").put("include_usage", true);
      body.set("messages", messages);
      StringBuilder answer = new StringBuilder();
      steps.add(call(url, body, answer));
      messages.addObject().put("role", "assistant").put("content", answer.toString());
    }
    return steps;
  }

  private Step call(String url, ObjectNode body, StringBuilder answer) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofMillis(settings.timeoutMs()))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)))
        .build();
    long sent = System.nanoTime();
    try {
      HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        if (response.statusCode() != 200) {
          return new Step(0, 0, 0, false);
        }
        long ttft = -1;
        JsonNode usage = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (!line.startsWith("data: {")) {
            continue;
          }
          JsonNode chunk = Json.MAPPER.readTree(line.substring(6));
          String content = chunk.at("/choices/0/delta/content").asText("");
          if (!content.isEmpty() && ttft < 0) {
            ttft = (System.nanoTime() - sent) / 1000;
          }
          answer.append(content);
          if (chunk.hasNonNull("usage")) {
            usage = chunk.get("usage");
          }
        }
        if (usage == null || ttft < 0) {
          return new Step(0, 0, 0, false);
        }
        return new Step(ttft, usage.path("prompt_tokens").asInt(),
            usage.at("/prompt_tokens_details/cached_tokens").asInt(), true);
      }
    } catch (Exception e) {
      return new Step(0, 0, 0, false);
    }
  }

  private static String text(int chars, String head) {
    StringBuilder text = new StringBuilder(head);
    while (text.length() < chars) {
      text.append(WORDS);
    }
    text.setLength(Math.max(head.length(), chars));
    return text.toString();
  }
}
