package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A finished generation, as the answer bodies report it.
 *
 * @param cachedTokens prompt tokens the slot's cache held, reported as {@code cached_tokens}
 * @param completionTokens tokens generated, which is also the number of content chunks streamed
 * @param finishReason {@code length} when the limit was hit, {@code stop} when the story ended
 */
record Outcome(
    Identity identity, int promptTokens, int cachedTokens, int completionTokens, String text, String finishReason, Timings timings) {

  /** What every chunk of one answer repeats. */
  record Identity(String id, long created, String model) {

    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** llama-server uses {@code chatcmpl-} and 32 random characters for chat and text completions alike. */
    static Identity fresh(String model) {
      return new Identity(randomId("chatcmpl-"), System.currentTimeMillis() / 1000, model);
    }

    /** {@code prefix} and 32 random letters and digits, llama-server's spelling of every id it makes up. */
    static String randomId(String prefix) {
      StringBuilder id = new StringBuilder(prefix);
      ThreadLocalRandom random = ThreadLocalRandom.current();
      for (int i = 0; i < 32; i++) {
        id.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
      }
      return id.toString();
    }
  }

  /**
   * llama-server's {@code timings} object; the simulator reports its real elapsed times. {@code promptN} counts only
   * the prompt tokens evaluated, {@code cacheN} those reused from the slot.
   */
  record Timings(int cacheN, int promptN, double promptMs, int predictedN, double predictedMs) {

    ObjectNode toJson() {
      return Json.object()
          .put("cache_n", cacheN)
          .put("prompt_n", promptN)
          .put("prompt_ms", promptMs)
          .put("prompt_per_token_ms", perToken(promptMs, promptN))
          .put("prompt_per_second", perSecond(promptN, promptMs))
          .put("predicted_n", predictedN)
          .put("predicted_ms", predictedMs)
          .put("predicted_per_token_ms", perToken(predictedMs, predictedN))
          .put("predicted_per_second", perSecond(predictedN, predictedMs));
    }

    // llama-server divides unguarded and prints inf/nan as null; 0.0 keeps the field a number
    private static double perToken(double millis, int tokens) {
      return tokens == 0 ? 0.0 : millis / tokens;
    }

    private static double perSecond(int tokens, double millis) {
      return millis <= 0 ? 0.0 : tokens * 1e3 / millis;
    }
  }

  ObjectNode usageJson() {
    ObjectNode usage = Json.object()
        .put("completion_tokens", completionTokens)
        .put("prompt_tokens", promptTokens)
        .put("total_tokens", completionTokens + promptTokens);
    usage.putObject("prompt_tokens_details").put("cached_tokens", cachedTokens);
    return usage;
  }
}
