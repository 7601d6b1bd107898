package dev.rolemesh.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestPeekTest {

  private static RequestPeek peek(String json) throws RequestPeek.Invalid {
    return RequestPeek.of(Buffer.buffer(json));
  }

  @Test
  void readsModelStreamAndTopLevelKeysOnly() throws Exception {
    RequestPeek peek = peek("""
        {"messages":[{"role":"user","content":"{\\"model\\":\\"nested\\"}"}],
         "model":"planner","stream":true,"options":{"model":"deep"}}""");

    assertThat(peek.model()).isEqualTo("planner");
    assertThat(peek.stream()).isTrue();
    assertThat(peek.topLevel()).containsOnlyKeys("messages", "model", "stream", "options");
    assertThat(peek.topLevel().get("messages")).isEqualTo(JsonToken.START_ARRAY);
  }

  @Test
  void missingModelAndStreamMeanDefaults() throws Exception {
    RequestPeek peek = peek("{\"messages\":[]}");

    assertThat(peek.model()).isNull();
    assertThat(peek.stream()).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"model\":5}                 | model",
      "{\"stream\":\"yes\"}          | stream",
  })
  void wrongTypesNameTheField(String body, String param) {
    assertThatThrownBy(() -> peek(body))
        .isInstanceOfSatisfying(RequestPeek.Invalid.class, e -> assertThat(e.param()).isEqualTo(param));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"model\":\"a\"              | not valid JSON",
      "[1,2]                         | must be a JSON object",
      "{\"a\":1} {\"b\":2}           | after the JSON object",
      "{\"a\":[1,2}                  | not valid JSON",
  })
  void malformedBodiesAreRejected(String body, String message) {
    assertThatThrownBy(() -> peek(body)).isInstanceOf(RequestPeek.Invalid.class).hasMessageContaining(message);
  }
}
