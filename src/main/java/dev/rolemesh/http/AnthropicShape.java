package dev.rolemesh.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerRequest;

/**
 * The gateway's own answers in the Anthropic API's shapes, for Anthropic clients: the Anthropic SDKs read errors as
 * {@code {"type":"error","error":{"type","message"}}} and list models as {@code type: "model"} objects.
 */
public final class AnthropicShape {

  /** Every Anthropic SDK request carries it; OpenAI clients never send it. */
  public static final String VERSION_HEADER = "anthropic-version";

  private AnthropicShape() {}

  /** Whether a request speaks the Anthropic API: a Messages path, or any path asked with {@code anthropic-version}. */
  public static boolean wanted(HttpServerRequest request) {
    return request.path().startsWith("/v1/messages") || request.headers().contains(VERSION_HEADER);
  }

  static ObjectNode error(ApiError error) {
    ObjectNode root = Responses.object().put("type", "error");
    root.putObject("error").put("type", errorType(error.status())).put("message", error.message());
    return root;
  }

  /** Anthropic's error types by HTTP status; a 503 (no backend can serve now) is its {@code overloaded_error}. */
  static String errorType(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      case 504 -> "timeout_error";
      default -> status < 500 ? "invalid_request_error" : "api_error";
    };
  }
}
