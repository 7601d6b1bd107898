package dev.rolemesh.sim;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.rolemesh.json.Json;
import io.vertx.core.buffer.Buffer;

/**
 * A request body, parsed once: the JSON, or the text and the parse error llama-server would answer with (a 500
 * {@code server_error} worded like nlohmann::json's, not a 400).
 */
record RequestBody(JsonNode json, String text, String parseError) {

  static RequestBody of(Buffer buffer) {
    String text = buffer.toString();
    if (text.isBlank()) {
      return new RequestBody(null, text,
          "[json.exception.parse_error.101] parse error at line 1, column 1: attempting to parse an empty input;"
              + " check that your input string or stream contains the expected JSON");
    }
    try {
      return new RequestBody(Json.MAPPER.readTree(text), text, null);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      return new RequestBody(null, text,
          "[json.exception.parse_error.101] parse error" + where + ": syntax error while parsing value - "
              + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
  }

  /** What /sim/stats shows: the JSON, else the raw text, else null for an empty body. */
  JsonNode forRecord() {
    if (json != null) {
      return json;
    }
    return text.isEmpty() ? null : TextNode.valueOf(text);
  }

  JsonNode require() {
    if (json == null) {
      throw LlamaError.server(parseError);
    }
    return json;
  }
}
