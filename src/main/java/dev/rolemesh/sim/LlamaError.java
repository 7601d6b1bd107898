package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;

/**
 * An error answer in llama-server's shape, {@code {"error":{"code":N,"message":"...","type":"..."}}}; thrown while
 * handling a request and turned into the response by {@link LlamaHttp#error}.
 */
final class LlamaError extends RuntimeException {

  private final int status;
  private final String type;
  private final ObjectNode extra;

  private LlamaError(int status, String type, String message, ObjectNode extra) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.extra = extra;
  }

  static LlamaError invalidRequest(String message) {
    return new LlamaError(400, "invalid_request_error", message, null);
  }

  static LlamaError server(String message) {
    return new LlamaError(500, "server_error", message, null);
  }

  static LlamaError notFound() {
    return new LlamaError(404, "not_found_error", "File Not Found", null);
  }

  static LlamaError loading() {
    return new LlamaError(503, "unavailable_error", "Loading model", null);
  }

  static LlamaError notSupported(String message) {
    return new LlamaError(501, "not_supported_error", message, null);
  }

  static LlamaError exceedContext(int promptTokens, int ctxSize) {
    ObjectNode extra = Json.object().put("n_prompt_tokens", promptTokens).put("n_ctx", ctxSize);
    return new LlamaError(400, "exceed_context_size_error",
        "request (" + promptTokens + " tokens) exceeds the available context size (" + ctxSize
            + " tokens), try increasing it",
        extra);
  }

  int status() {
    return status;
  }

  ObjectNode toJson() {
    ObjectNode error = Json.object();
    if (status == 404) {
      // llama-server's unknown-path answer is built by a different code path, with another key order
      error.put("message", getMessage()).put("type", type).put("code", status);
    } else {
      error.put("code", status).put("message", getMessage()).put("type", type);
    }
    if (extra != null) {
      error.setAll(extra);
    }
    ObjectNode body = Json.object();
    body.set("error", error);
    return body;
  }
}
