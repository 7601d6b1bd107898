package dev.rolemesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.testing.TestGateway;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK works against the gateway unchanged: list, chat, stream. */
class OpenAiSdkTest {

  private static TestGateway gateway;
  private static OpenAIClient client;

  @BeforeAll
  static void start() {
    gateway = new TestGateway().auth(new AuthConfig(List.of("sdk-key"), List.of()));
    gateway.proxy("planner", gateway.simulator(SimOptions.defaults().withAlias("planner-gguf")))
        .proxy("writer", gateway.simulator(SimOptions.defaults().withAlias("writer-gguf")))
        .start();
    client = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey("sdk-key").build();
  }

  @AfterAll
  static void stop() {
    client.close();
    gateway.close();
  }

  @Test
  void listsTheRoles() {
    List<String> ids = client.models().list().data().stream().map(Model::id).toList();

    assertThat(ids).containsExactly("planner", "writer");
  }

  @Test
  void chats() {
    ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("writer").addUserMessage("Say hello in 3 words.").maxCompletionTokens(8).build());

    assertThat(completion.model()).isEqualTo("writer-gguf");
    assertThat(completion.choices().getFirst().message().content()).isPresent().get().asString().isNotBlank();
  }

  @Test
  void streamsTokenByToken() {
    StringBuilder text = new StringBuilder();
    int chunks = 0;
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model("planner").addUserMessage("Tell a story").maxTokens(10).build())) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        chunks++;
        chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
      }
    }

    assertThat(chunks).isGreaterThan(10);
    assertThat(text.toString()).isNotBlank();
  }
}
