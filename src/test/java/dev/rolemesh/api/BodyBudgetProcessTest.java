package dev.rolemesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.JavaProcess;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory under ordinary load: many large bodies at once, to a role whose bodies are rewritten, against a gateway
 * with a small heap. Held whole and copied several times, they made the JVM run out of memory and exit, cutting
 * every open stream; within the body budget each gets a 200 or a 503 with Retry-After, and the gateway stays up.
 */
class BodyBudgetProcessTest {

  private static final int BODIES = 12;
  private static final int BODY_BYTES = 8 * 1024 * 1024;

  @TempDir
  Path dir;
  private Vertx vertx;
  private Simulator backend;

  @BeforeEach
  void startBackend() {
    vertx = Vertx.vertx();
    // A context large enough for the 8 MiB prompts: the backend answers, the gateway is what is under test.
    backend = Await.result(Simulator.start(vertx, SimOptions.defaults().withPort(0).withCtxSize(1 << 30)));
  }

  @AfterEach
  void stopBackend() {
    Await.result(vertx.close());
  }

  @Test
  void manyLargeBodiesAtOnceGet200Or503AndTheGatewayStaysUp() throws Exception {
    Files.writeString(dir.resolve("gateway.yaml"), """
        models:
          planner:
            type: proxy
            proxy_url: %s
            defaults: {temperature: 0, max_tokens: 4}
        """.formatted(backend.baseUrl()));

    // The launcher's flags, with a third of its heap: 12 bodies of 8 MiB are 96 MiB before any copy.
    try (JavaProcess gateway = JavaProcess.start(dir,
        List.of("-Xmx128m", "-Xmn32m", "-XX:+ExitOnOutOfMemoryError"), false,
        "gateway", "--config", "gateway.yaml", "--port", "0")) {
      JsonNode listening = Json.parse(gateway.awaitLine(line -> line.contains("\"event\":\"listening\"")));
      URI url = URI.create(listening.path("url").asText() + "/v1/chat/completions");
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      byte[] body = largeChat();

      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < BODIES; i++) {
        answers.add(client.sendAsync(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(90))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString()));
      }

      Map<Integer, Integer> statuses = new TreeMap<>();
      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        HttpResponse<String> response;
        try {
          response = answer.get();
        } catch (ExecutionException e) {
          throw new AssertionError("no answer (" + e.getCause() + "); gateway output: " + gateway.output(), e);
        }
        statuses.merge(response.statusCode(), 1, Integer::sum);
        if (response.statusCode() == 503) {
          assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
          assertThat(Json.parse(response.body()).at("/error/code").asText()).isEqualTo("overloaded");
        }
      }
      System.out.println("BodyBudgetProcessTest statuses: " + statuses);
      assertThat(statuses.keySet()).as("statuses %s", statuses).isSubsetOf(200, 503).contains(200);
      assertThat(gateway.process().isAlive()).as("gateway alive; output %s", gateway.output()).isTrue();
      assertThat(gateway.output()).noneMatch(line -> line.contains("OutOfMemoryError"));
      HttpResponse<String> after = client.send(HttpRequest.newBuilder(url)
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"planner\",\"messages\":[]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(after.statusCode()).isEqualTo(200);
    }
  }

  /** A chat whose one message is {@link #BODY_BYTES} of text. */
  private static byte[] largeChat() {
    byte[] head = "{\"model\":\"planner\",\"messages\":[{\"role\":\"user\",\"content\":\""
        .getBytes(StandardCharsets.US_ASCII);
    byte[] tail = "\"}]}".getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[BODY_BYTES];
    Arrays.fill(body, (byte) 'a');
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(tail, 0, body, body.length - tail.length, tail.length);
    return body;
  }
}
