package dev.rolemesh.http;

import io.vertx.core.http.HttpServerRequest;

/** The answers to a request body that was not read whole: too large, no room in the budget now, broken framing. */
public final class BodyRefusals {

  /** What a client refused for want of budget is told to wait: bodies in flight usually finish within a second. */
  public static final int RETRY_AFTER_S = 1;

  private BodyRefusals() {}

  /**
   * The error for {@code refused}, with its headers already on the response; null for a client that left. A body
   * refused for want of budget is drained (it is worth retrying on the same connection); after one too large or
   * broken the connection is closed rather than reading on.
   *
   * @param maxBodySetting what sets the largest body, for the message (like {@code gateway.max_body_mb})
   * @param budgetSetting what sets the budget, for the message
   */
  public static ApiError answer(HttpServerRequest request, BodyReader.Refused refused, String maxBodySetting,
      String budgetSetting) {
    ApiError error = switch (refused.kind()) {
      case TOO_LARGE -> new ApiError(413, "Request body exceeds " + (refused.budgetLimit()
          ? "what this server holds for all requests at once, " : "the limit of ")
          + refused.limitBytes() + " bytes (" + (refused.budgetLimit() ? budgetSetting : maxBodySetting) + ")",
          "invalid_request_error", null, "request_too_large");
      case OVER_BUDGET -> new ApiError(503, "Too many large request bodies in flight (" + budgetSetting + " is "
          + refused.limitBytes() + " bytes); retry after " + RETRY_AFTER_S + " s", "server_error", null,
          "overloaded");
      case MALFORMED -> new ApiError(400, "Malformed request body: " + refused.getMessage(),
          "invalid_request_error", null, "invalid_body");
      case CLIENT_GONE -> null;
    };
    if (error == null) {
      return null;
    }
    if (refused.kind() == BodyReader.Kind.OVER_BUDGET) {
      request.response().putHeader("Retry-After", String.valueOf(RETRY_AFTER_S));
    }
    if (!request.isEnded() && refused.kind() != BodyReader.Kind.OVER_BUDGET) {
      request.response().putHeader("Connection", "close");
    }
    return error;
  }
}
