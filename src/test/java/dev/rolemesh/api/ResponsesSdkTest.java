package dev.rolemesh.api;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.TokenSource;
import dev.rolemesh.testing.TestGateway;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OpenAI Java SDK's Responses API works against the gateway unchanged: create, stream, errors. */
class ResponsesSdkTest {

  private static TestGateway gateway;
  private static OpenAIClient client;

  @BeforeAll
  static void start() {
    gateway = new TestGateway().auth(new AuthConfig(List.of("sdk-key"), List.of()));
    gateway.proxy("planner", gateway.simulator(SimOptions.defaults().withAlias("planner-gguf")))
        .discovered("reviewer", "reviewer", ROUND_ROBIN)
        .start();
    client = sdk("sdk-key");
  }

  @AfterAll
  static void stop() {
    client.close();
    gateway.close();
  }

  private static OpenAIClient sdk(String key) {
    return OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey(key).maxRetries(0).build();
  }

  private static ResponseCreateParams params(String model) {
    return ResponseCreateParams.builder().model(model).instructions("Be brief.").input("Tell me a story.")
        .maxOutputTokens(8L).build();
  }

  @Test
  void createsAResponseThroughARole() {
    Response response = client.responses().create(params("planner"));

    assertThat(response.id()).startsWith("resp_");
    assertThat(response.model().asString()).isEqualTo("planner-gguf");
    String text = response.output().getFirst().asMessage().content().getFirst().asOutputText().text();
    assertThat(text).isEqualTo(TokenSource.text(8));
    assertThat(response.usage().orElseThrow().outputTokens()).isEqualTo(8);
  }

  @Test
  void streamsNamedEventsThroughARole() {
    List<String> seen = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    String[] completed = new String[1];
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params("planner"))) {
      stream.stream().forEach(event -> {
        event.created().ifPresent(created -> seen.add("created " + created.response().id()));
        event.outputTextDelta().ifPresent(delta -> text.append(delta.delta()));
        event.outputTextDone().ifPresent(done -> seen.add("text done " + done.text()));
        event.completed().ifPresent(done -> completed[0] =
            done.response().output().getFirst().asMessage().content().getFirst().asOutputText().text());
      });
    }

    assertThat(text.toString()).isEqualTo(TokenSource.text(8));
    assertThat(completed[0]).isEqualTo(TokenSource.text(8));
    assertThat(seen).hasSize(2).last().isEqualTo("text done " + TokenSource.text(8));
    assertThat(seen.getFirst()).startsWith("created resp_");
  }

  @Test
  void aWrongKeyIsUnauthorized() {
    OpenAIClient wrong = sdk("wrong-key");
    try {
      UnauthorizedException error = catchThrowableOfType(UnauthorizedException.class,
          () -> wrong.responses().create(params("planner")));
      assertThat(error.statusCode()).isEqualTo(401);
    } finally {
      wrong.close();
    }
  }

  @Test
  void anUnknownModelIsNotFound() {
    NotFoundException error = catchThrowableOfType(NotFoundException.class,
        () -> client.responses().create(params("nobody")));

    assertThat(error.getMessage()).contains("nobody");
  }

  @Test
  void aRoleWithNoBackendIsUnavailable() {
    InternalServerException error = catchThrowableOfType(InternalServerException.class,
        () -> client.responses().create(params("reviewer")));

    assertThat(error.statusCode()).isEqualTo(503);
  }
}
