package dev.rolemesh.api;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.ServiceUnavailableException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.models.ModelInfo;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.TokenSource;
import dev.rolemesh.testing.TestGateway;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official Anthropic Java SDK works against the gateway unchanged: messages, stream, token count, models, errors. */
class AnthropicSdkTest {

  private static TestGateway gateway;
  private static AnthropicClient client;

  @BeforeAll
  static void start() {
    gateway = new TestGateway().auth(new AuthConfig(List.of("sdk-key"), List.of()));
    gateway.proxy("writer", gateway.simulator(SimOptions.defaults().withAlias("writer-gguf")))
        .discovered("reviewer", "reviewer", ROUND_ROBIN)
        .start();
    client = sdk("sdk-key");
  }

  @AfterAll
  static void stop() {
    client.close();
    gateway.close();
  }

  private static AnthropicClient sdk(String key) {
    // no retries: the error tests want the gateway's first answer
    return AnthropicOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey(key).maxRetries(0).build();
  }

  private static MessageCreateParams message(String model, long maxTokens) {
    return MessageCreateParams.builder().model(model).maxTokens(maxTokens).system("Be brief.")
        .addUserMessage("Tell me a story.").build();
  }

  @Test
  void createsAMessageThroughARole() {
    Message message = client.messages().create(message("writer", 12));

    assertThat(message.model().asString()).isEqualTo("writer-gguf");
    assertThat(message.content().getFirst().text().orElseThrow().text()).isEqualTo(TokenSource.text(12));
    assertThat(message.stopReason()).contains(StopReason.MAX_TOKENS);
    assertThat(message.usage().outputTokens()).isEqualTo(12);
  }

  @Test
  void streamsNamedEventsThroughARole() {
    List<String> events = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(message("writer", 8))) {
      stream.stream().forEach(event -> {
        event.messageStart().ifPresent(start -> events.add("message_start " + start.message().model().asString()));
        event.contentBlockStart().ifPresent(start -> events.add("content_block_start"));
        event.contentBlockDelta().ifPresent(delta -> {
          String token = delta.delta().text().orElseThrow().text();
          text.append(token);
          events.add("content_block_delta " + token);
        });
        event.contentBlockStop().ifPresent(stop -> events.add("content_block_stop"));
        event.messageDelta().ifPresent(delta -> events.add("message_delta " + delta.delta().stopReason().orElseThrow()
            + " output_tokens=" + delta.usage().outputTokens()));
        event.messageStop().ifPresent(stop -> events.add("message_stop"));
      });
    }
    System.out.println(String.join("\n", events));

    assertThat(text.toString()).isEqualTo(TokenSource.text(8));
    assertThat(events.getFirst()).isEqualTo("message_start writer-gguf");
    assertThat(events).hasSize(8 + 5).endsWith("content_block_stop", "message_delta max_tokens output_tokens=8",
        "message_stop");
  }

  @Test
  void countsTokensThroughARole() {
    long tokens = client.messages().countTokens(MessageCountTokensParams.builder().model("writer")
        .system("Be brief.").addUserMessage("Tell me a story.").build()).inputTokens();

    assertThat(tokens).isEqualTo(client.messages().create(message("writer", 1)).usage().inputTokens());
  }

  @Test
  void listsTheRolesAsAnthropicModels() {
    List<ModelInfo> models = client.models().list().data();

    assertThat(models).extracting(ModelInfo::id).containsExactly("writer");
    assertThat(models.getFirst().displayName()).isEqualTo("writer");
    assertThat(client.models().retrieve("writer").id()).isEqualTo("writer");
  }

  @Test
  void aWrongKeyIsAnAuthenticationError() {
    AnthropicClient wrong = sdk("wrong-key");
    try {
      UnauthorizedException error = catchThrowableOfType(UnauthorizedException.class,
          () -> wrong.messages().create(message("writer", 4)));

      assertThat(error.statusCode()).isEqualTo(401);
      assertThat(error.errorType()).contains(ErrorType.AUTHENTICATION_ERROR);
    } finally {
      wrong.close();
    }
  }

  @Test
  void anUnknownModelIsANotFoundError() {
    NotFoundException error = catchThrowableOfType(NotFoundException.class,
        () -> client.messages().create(message("nobody", 4)));

    assertThat(error.errorType()).contains(ErrorType.NOT_FOUND_ERROR);
    assertThat(error.apiMessage()).hasValueSatisfying(text -> assertThat(text).contains("nobody"));
  }

  @Test
  void aRoleWithNoBackendIsOverloaded() {
    AnthropicServiceException error = catchThrowableOfType(ServiceUnavailableException.class,
        () -> client.messages().create(message("reviewer", 4)));

    assertThat(error.statusCode()).isEqualTo(503);
    assertThat(error.errorType()).contains(ErrorType.OVERLOADED_ERROR);
  }
}
