package dev.rolemesh.api;

import static dev.rolemesh.testing.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.TestGateway;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bad requests are answered by the gateway itself, OpenAI-style, and never reach a backend. */
class RequestValidationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestGateway gateway;
  private static Simulator backend;

  @BeforeAll
  static void start() {
    gateway = new TestGateway().maxBodyBytes(4096);
    backend = gateway.simulator(SimOptions.defaults());
    gateway.proxy("planner", backend).proxy("writer", backend).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static JsonNode error(HttpResponse<String> response) throws Exception {
    JsonNode error = JSON.readTree(response.body()).path("error");
    assertThat(error.has("message") && error.has("type") && error.has("param") && error.has("code"))
        .as("OpenAI error shape: %s", response.body()).isTrue();
    return error;
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "null", value = {
      "/v1/chat/completions | {\"model\":\"planner\",                          | null",
      "/v1/chat/completions | [\"not an object\"]                              | null",
      "/v1/chat/completions | {\"model\":7,\"messages\":[]}                    | model",
      "/v1/chat/completions | {\"model\":\"planner\",\"stream\":\"yes\",\"messages\":[]} | stream",
      "/v1/chat/completions | {\"model\":\"planner\"}                           | messages",
      "/v1/completions      | {\"model\":\"planner\"}                           | prompt",
      "/v1/embeddings       | {\"model\":\"planner\"}                           | input",
  })
  void invalidBodiesAre400NamingTheField(String path, String body, String param) throws Exception {
    long before = backend.stats().requestsTotal();

    HttpResponse<String> response = gateway.post(path, body);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(error(response).path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error(response).path("param").isNull() ? null : error(response).path("param").asText())
        .isEqualTo(param);
    assertThat(backend.stats().requestsTotal()).isEqualTo(before);
  }

  @Test
  void anEmptyBodyIs400() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", "");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(error(response).path("message").asText()).contains("empty");
  }

  @Test
  void anUnknownModelIs404NamingItAndListingTheKnownOnes() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", chat("gpt-4", ""));

    assertThat(response.statusCode()).isEqualTo(404);
    JsonNode error = error(response);
    assertThat(error.path("message").asText()).contains("'gpt-4'").contains("planner, writer");
    assertThat(error.path("param").asText()).isEqualTo("model");
    assertThat(error.path("code").asText()).isEqualTo("model_not_found");
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", chat("planner",
        "\"padding\":\"" + "x".repeat(5000) + "\""));

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(error(response).path("message").asText()).contains("4096");
  }

  @Test
  void unknownPathsAndWrongMethodsAreJsonErrors() throws Exception {
    HttpResponse<String> unknown = gateway.get("/v1/nothing-here");
    HttpResponse<String> wrongMethod = gateway.get("/v1/chat/completions");

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(error(unknown).path("message").asText()).contains("/v1/nothing-here");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(error(wrongMethod).path("code").asText()).isEqualTo("method_not_allowed");
  }
}
