package dev.rolemesh.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.http.RequestPeek;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
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
}
