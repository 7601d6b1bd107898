package dev.rolemesh.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * An error as OpenAI clients expect it: {@code {"error":{"message","type","param","code"}}} with a fitting HTTP
 * status. Every error the gateway itself produces goes through here, so clients never see a stack trace or HTML;
 * Anthropic clients get the same error in their API's shape ({@link AnthropicShape}).
 */
public record ApiError(int status, String message, String type, String param, String code) {

  private static final ObjectMapper JSON = Json.MAPPER;

  public static ApiError invalidRequest(String message, String param) {
    return new ApiError(400, message, "invalid_request_error", param, "invalid_request");
  }

  public static ApiError invalidJson(String detail) {
    return new ApiError(400, "Request body is not valid JSON: " + detail, "invalid_request_error", null,
        "invalid_json");
  }

  public static ApiError unauthorized(String message) {
    return new ApiError(401, message, "authentication_error", null, "invalid_api_key");
  }

  /** A key whose {@code roles} do not include the requested one. */
  public static ApiError modelNotAllowed(String alias, String keyName) {
    return new ApiError(403, "The key '" + keyName + "' may not use model '" + alias + "'",
        "invalid_request_error", "model", "model_not_allowed");
  }

  /** @param type which limit: {@code requests}, {@code tokens} or {@code concurrent_requests} */
  public static ApiError rateLimited(String message, String type) {
    return new ApiError(429, message, type, null, "rate_limit_exceeded");
  }

  public static ApiError notFound(String message) {
    return new ApiError(404, message, "invalid_request_error", null, "not_found");
  }

  /** @param allowed the methods the path takes, as in the {@code Allow} header sent with it */
  public static ApiError methodNotAllowed(Object method, String path, String allowed) {
    return new ApiError(405, "Method " + method + " is not allowed on " + path + " (allowed: " + allowed + ")",
        "invalid_request_error", null, "method_not_allowed");
  }

  public static ApiError modelNotFound(String model, java.util.List<String> known) {
    return new ApiError(404, "The model '" + model + "' does not exist. Known models: " + String.join(", ", known),
        "invalid_request_error", "model", "model_not_found");
  }

  public static ApiError bodyTooLarge(long limitBytes) {
    return new ApiError(413, "Request body exceeds the limit of " + limitBytes + " bytes (gateway.max_body_mb)",
        "invalid_request_error", null, "request_too_large");
  }

  public static ApiError badGateway(String message) {
    return new ApiError(502, message, "upstream_error", null, "upstream_unavailable");
  }

  public static ApiError unavailable(String message) {
    return new ApiError(503, message, "upstream_error", null, "model_unavailable");
  }

  public static ApiError gatewayTimeout(String message) {
    return new ApiError(504, message, "upstream_error", null, "upstream_timeout");
  }

  public static ApiError internal(String message) {
    return new ApiError(500, message, "server_error", null, "internal_error");
  }

  public Buffer toJson() {
    return bytes(openAiJson());
  }

  private ObjectNode openAiJson() {
    ObjectNode error = JSON.createObjectNode();
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    ObjectNode root = JSON.createObjectNode();
    root.set("error", error);
    return root;
  }

  private static Buffer bytes(ObjectNode root) {
    try {
      return Buffer.buffer(JSON.writeValueAsBytes(root));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends this error unless the response has already started (then the connection is the only signal left). */
  public void send(HttpServerResponse response) {
    send(response, toJson());
  }

  /** Like {@link #send(HttpServerResponse)}, in the Anthropic API's error shape when the request speaks it. */
  public void send(RoutingContext ctx) {
    send(ctx.response(), AnthropicShape.wanted(ctx.request()) ? bytes(AnthropicShape.error(this)) : toJson());
  }

  private void send(HttpServerResponse response, Buffer body) {
    if (response.headWritten() || response.ended() || response.closed()) {
      return;
    }
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body);
  }
}
