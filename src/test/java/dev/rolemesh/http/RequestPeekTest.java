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
      "{\"prompt\":\"abc            | not valid JSON",
      "{\"messages\":[{\"a\":1},2      | not valid JSON",
      "{\"messages\":[{\"a\":1}        | not valid JSON",
      "{\"system\":\"abc\\          | not valid JSON",
  })
  void malformedBodiesAreRejected(String body, String message) {
    assertThatThrownBy(() -> peek(body)).isInstanceOf(RequestPeek.Invalid.class).hasMessageContaining(message);
  }

  private static long[] chain(String json) throws RequestPeek.Invalid {
    return peek(json).conversation();
  }

  @Test
  void theConversationIsAChainOverSystemThenEachWholeMessage() throws Exception {
    String system = "{\"role\":\"system\",\"content\":\"Be brief.\"}";
    String ask = "{\"role\":\"user\",\"content\":\"Plan it.\"}";
    long[] turn1 = chain("{\"model\":\"a\",\"messages\":[" + system + "," + ask + "]}");
    long[] turn2 = chain("{\"messages\":[" + system + "," + ask
        + ",{\"role\":\"assistant\",\"content\":\"Done.\"},{\"role\":\"user\",\"content\":\"Next.\"}],"
        + "\"model\":\"b\",\"temperature\":0}");
    long[] otherSystem = chain("{\"messages\":[{\"role\":\"system\",\"content\":\"Be long.\"}," + ask + "]}");

    assertThat(turn1).hasSize(2);
    assertThat(turn2).hasSize(4).startsWith(turn1);
    // the pitfall of hashing messages alone: the same question under another system prompt is another prefix
    assertThat(otherSystem[1]).isNotEqualTo(turn1[1]);
  }

  @Test
  void aTopLevelSystemPromptLeadsTheChainWhereverItStands() throws Exception {
    String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";

    assertThat(chain("{" + messages + ",\"system\":\"Be brief.\"}"))
        .hasSize(2)
        .isEqualTo(chain("{\"system\":\"Be brief.\"," + messages + "}"));
  }

  @Test
  void aPlainPromptIsChainedInBlocks() throws Exception {
    String start = "x".repeat(2 * ConversationChain.BLOCK_BYTES);
    long[] shorter = chain("{\"prompt\":\"" + start + "\"}");
    long[] longer = chain("{\"prompt\":\"" + start + "yz\"}");

    assertThat(shorter).hasSize(3);
    assertThat(longer).hasSize(3).startsWith(shorter[0], shorter[1]);
    assertThat(longer[2]).isNotEqualTo(shorter[2]);
    assertThat(chain("{\"model\":\"a\"}")).isEmpty();
  }
}
