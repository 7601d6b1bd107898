package dev.rolemesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.FreePorts;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.TestGateway;
import dev.rolemesh.testing.TestModels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The same APIs through the gateway against a real llama-server serving the bundled stories260K model, where that
 * build supports them (Anthropic messages, count_tokens, responses; rerank answers its 501 without
 * {@code --reranking}). Runs only when {@code ROLEMESH_LLAMA_SERVER} names a llama-server binary.
 */
@EnabledIfEnvironmentVariable(named = "ROLEMESH_LLAMA_SERVER", matches = ".+")
class RealLlamaServerTest {

  private static Process llama;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws IOException {
    int port = FreePorts.loopback();
    llama = new ProcessBuilder(System.getenv("ROLEMESH_LLAMA_SERVER"), "-m", TestModels.stories260K().toString(),
        "-c", "4096", "-np", "1", "-a", "stories", "--host", "127.0.0.1", "--port", Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String url = "http://127.0.0.1:" + port;
    Await.until("llama-server is healthy", () -> healthy(url));
    gateway = new TestGateway().proxy("storyteller", url, Map.of("model", "stories"), TestGateway.FAST).start();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (gateway != null) {
      gateway.close();
    }
    llama.destroy();
    llama.waitFor();
  }

  private static boolean healthy(String url) {
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void anthropicMessagesCountAndStream() {
    AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey("unused").build();
    try {
      MessageCreateParams params = MessageCreateParams.builder().model("storyteller").maxTokens(8)
          .addUserMessage("Once upon a time").build();
      Message message = client.messages().create(params);
      assertThat(message.model().asString()).isEqualTo("stories");
      assertThat(message.usage().outputTokens()).isPositive();

      long tokens = client.messages().countTokens(MessageCountTokensParams.builder().model("storyteller")
          .addUserMessage("Once upon a time").build()).inputTokens();
      assertThat(tokens).isPositive();

      List<String> kinds = new ArrayList<>();
      try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
        stream.stream().forEach(event -> {
          event.messageStart().ifPresent(start -> kinds.add("message_start"));
          event.messageStop().ifPresent(stop -> kinds.add("message_stop"));
        });
      }
      assertThat(kinds).containsExactly("message_start", "message_stop");
    } finally {
      client.close();
    }
  }

  @Test
  void responsesCreateAndStream() {
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey("unused").build();
    try {
      ResponseCreateParams params = ResponseCreateParams.builder().model("storyteller").input("Once upon a time")
          .maxOutputTokens(8L).build();
      Response response = client.responses().create(params);
      assertThat(response.model().asString()).isEqualTo("stories");

      StringBuilder text = new StringBuilder();
      boolean[] completed = new boolean[1];
      try (com.openai.core.http.StreamResponse<ResponseStreamEvent> stream =
          client.responses().createStreaming(params)) {
        stream.stream().forEach(event -> {
          event.outputTextDelta().ifPresent(delta -> text.append(delta.delta()));
          event.completed().ifPresent(done -> completed[0] = true);
        });
      }
      assertThat(text).isNotEmpty();
      assertThat(completed[0]).isTrue();
    } finally {
      client.close();
    }
  }

  @Test
  void rerankWithoutRerankingPassesLlamaServersOwnAnswerThrough() {
    JsonResponse response = gateway.post("/v1/rerank",
        "{\"model\":\"storyteller\",\"query\":\"fox\",\"documents\":[\"a fox\",\"a bird\"]}");

    assertThat(response.statusCode()).isEqualTo(501);
    assertThat(response.json().at("/error/type").asText()).isEqualTo("not_supported_error");
  }
}
