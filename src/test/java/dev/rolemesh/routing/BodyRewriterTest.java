package dev.rolemesh.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.http.RequestPeek;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BodyRewriterTest {

  private static Buffer rewrite(String body, String upstreamModel, Map<String, Object> defaults) throws Exception {
    Buffer buffer = Buffer.buffer(body);
    return BodyRewriter.rewrite(buffer, RequestPeek.of(buffer), upstreamModel, defaults);
  }

  @Test
  void untouchedBodyIsForwardedAsTheSameBytes() throws Exception {
    Buffer body = Buffer.buffer("{ \"model\" : \"planner\", \"temperature\": 1 }");

    Buffer out = BodyRewriter.rewrite(body, RequestPeek.of(body), "planner", Map.of("temperature", 0));

    assertThat(out).isSameAs(body);
  }

  @Test
  void defaultsFillOnlyMissingKeys() throws Exception {
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put("temperature", 0);
    defaults.put("max_tokens", 128);

    JsonObject out = new JsonObject(rewrite("{\"model\":\"planner\",\"temperature\":0.9}", "planner", defaults));

    assertThat(out.getDouble("temperature")).isEqualTo(0.9);
    assertThat(out.getInteger("max_tokens")).isEqualTo(128);
  }

  @Test
  void upstreamModelReplacesTheAliasAndFillsAMissingModel() throws Exception {
    assertThat(new JsonObject(rewrite("{\"model\":\"planner\"}", "dolphin3:latest", Map.of())).getString("model"))
        .isEqualTo("dolphin3:latest");
    assertThat(new JsonObject(rewrite("{\"messages\":[]}", "planner", Map.of())).getString("model"))
        .isEqualTo("planner");
  }

  @Test
  void nestedDefaultsAreCopiedAsJson() throws Exception {
    JsonObject out = new JsonObject(rewrite("{\"model\":\"a\"}", "a",
        Map.of("stop", java.util.List.of("\n\n"), "options", Map.of("num_ctx", 4096))));

    assertThat(out.getJsonArray("stop").getString(0)).isEqualTo("\n\n");
    assertThat(out.getJsonObject("options").getInteger("num_ctx")).isEqualTo(4096);
  }

  @Test
  void splicesWithoutTouchingTheRestOfTheBytes() throws Exception {
    // Whitespace, escapes and key order survive; only the model value changes and the default goes last.
    String body = "{ \"messages\" : [ {\"content\":\"caf\\u00e9 \\\"q\\\"\"} ] ,\n \"model\" :\"planner\" }";

    String out = rewrite(body, "llama-3", Map.of("max_tokens", 8)).toString(StandardCharsets.UTF_8);

    assertThat(out).isEqualTo(
        "{ \"messages\" : [ {\"content\":\"caf\\u00e9 \\\"q\\\"\"} ] ,\n \"model\" :\"llama-3\" ,\"max_tokens\":8}");
  }

  @Test
  void anEmptyObjectGetsFieldsWithoutALeadingCommaAndANullModelIsReplaced() throws Exception {
    assertThat(rewrite("{}", "m", Map.of("n", 1)).toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"model\":\"m\",\"n\":1}");
    assertThat(rewrite("{\"model\":null,\"input\":\"x\"}", "m\"q", Map.of()).toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"model\":\"m\\\"q\",\"input\":\"x\"}");
  }

  @Test
  void bytesNoJsonWriterWouldProduceAreForwardedAsSent() throws Exception {
    // ED A0 BD is UTF-8 for a lone surrogate: a tree and re-serialisation choked on it (a 500).
    byte[] prompt = {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0xbd,
        '"', ',', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', 'a', '"', '}'};
    Buffer body = Buffer.buffer(prompt);

    Buffer out = BodyRewriter.rewrite(body, RequestPeek.of(body), "b", Map.of("t", 0));

    byte[] expected = new String(prompt, StandardCharsets.ISO_8859_1).replace("\"a\"}", "\"b\",\"t\":0}")
        .getBytes(StandardCharsets.ISO_8859_1);
    assertThat(out.getBytes()).isEqualTo(expected);
  }

  @Test
  void aSlicedBodyIsPeekedAndSplicedAtItsOwnOffsets() throws Exception {
    Buffer body = Buffer.buffer("xxxx{\"model\":\"a\"}yy").slice(4, 17);

    assertThat(rewrite(body.toString(), "bb", Map.of()).toString()).isEqualTo("{\"model\":\"bb\"}");
    assertThat(BodyRewriter.rewrite(body, RequestPeek.of(body), "bb", Map.of()).toString())
        .isEqualTo("{\"model\":\"bb\"}");
  }
}
