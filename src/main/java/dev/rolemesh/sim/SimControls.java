package dev.rolemesh.sim;

import io.vertx.core.MultiMap;

/**
 * The simulator-only knobs that apply to one request: the process-wide options, overridden by the request headers
 * {@code X-Sim-Fail}, {@code X-Sim-Token-Delay-Ms} and {@code X-Sim-Prompt-Delay-Ms}.
 */
record SimControls(FailureMode fail, long tokenDelayMs, long promptDelayMs) {

  static final String FAIL_HEADER = "X-Sim-Fail";
  static final String TOKEN_DELAY_HEADER = "X-Sim-Token-Delay-Ms";
  static final String PROMPT_DELAY_HEADER = "X-Sim-Prompt-Delay-Ms";

  /** Reads the overrides; a malformed header value is the client's mistake, answered with 400. */
  static SimControls of(MultiMap headers, SimOptions options) {
    String fail = headers.get(FAIL_HEADER);
    FailureMode mode;
    try {
      mode = fail == null ? options.fail() : FailureMode.parse(fail);
    } catch (IllegalArgumentException e) {
      throw LlamaError.invalidRequest(FAIL_HEADER + ": " + e.getMessage());
    }
    return new SimControls(
        mode,
        millis(headers, TOKEN_DELAY_HEADER, options.tokenDelayMs()),
        millis(headers, PROMPT_DELAY_HEADER, options.promptDelayMs()));
  }

  private static long millis(MultiMap headers, String name, long fallback) {
    String value = headers.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      long millis = Long.parseLong(value.trim());
      if (millis >= 0) {
        return millis;
      }
    } catch (NumberFormatException ignored) {
      // reported below, like a negative value
    }
    throw LlamaError.invalidRequest(name + " must be a non-negative integer, got '" + value + "'");
  }
}
