package dev.rolemesh.sim;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The counters behind GET /metrics, fed by real traffic, and their rendering in llama-server's exact exposition:
 * same names, order, HELP and TYPE lines, and numbers printed the way C++ streams print a double (6 significant
 * digits, no trailing zeros, exponent form outside [1e-4, 1e6)). Like llama-server, every prompt counts as one
 * decode call and every generated token as one more. Used on the event loop only.
 */
final class LlamaMetrics {

  private long promptTokens;
  private double promptMs;
  private long predictedTokens;
  private double predictedMs;
  private long decodes;
  private long tokensMax;
  private long busySlotsAtDecodes;

  void promptProcessed(int tokens, double millis, int busySlots) {
    promptTokens += tokens;
    promptMs += millis;
    tokensMax = Math.max(tokensMax, tokens);
    decoded(busySlots);
  }

  void tokenPredicted(int busySlots) {
    predictedTokens++;
    decoded(busySlots);
  }

  void generationTime(double millis) {
    predictedMs += millis;
  }

  String render(int busySlots, int deferred) {
    StringBuilder text = new StringBuilder();
    metric(text, "prompt_tokens_total", "Number of prompt tokens processed.", "counter", promptTokens);
    metric(text, "prompt_seconds_total", "Prompt process time", "counter", promptMs / 1e3);
    metric(text, "tokens_predicted_total", "Number of generation tokens processed.", "counter", predictedTokens);
    metric(text, "tokens_predicted_seconds_total", "Predict process time", "counter", predictedMs / 1e3);
    metric(text, "n_decode_total", "Total number of llama_decode() calls", "counter", decodes);
    metric(text, "n_tokens_max", "Largest observed n_tokens.", "counter", tokensMax);
    metric(text, "spec_decode_num_draft_tokens_total", "Total draft tokens generated", "counter", 0);
    metric(text, "spec_decode_num_accepted_tokens_total", "Total draft tokens accepted by the target model",
        "counter", 0);
    metric(text, "spec_decode_num_drafts_total", "Total speculative decoding verification steps", "counter", 0);
    metric(text, "prompt_tokens_seconds", "Average prompt throughput in tokens/s.", "gauge",
        perSecond(promptTokens, promptMs));
    metric(text, "predicted_tokens_seconds", "Average generation throughput in tokens/s.", "gauge",
        perSecond(predictedTokens, predictedMs));
    metric(text, "requests_processing", "Number of requests processing.", "gauge", busySlots);
    metric(text, "requests_deferred", "Number of requests deferred.", "gauge", deferred);
    metric(text, "n_busy_slots_per_decode", "Average number of busy slots per llama_decode() call", "gauge",
        decodes == 0 ? 0 : (double) busySlotsAtDecodes / decodes);
    return text.toString();
  }

  /** A double as {@code std::ostream << value} prints it with the default precision of 6. */
  static String cppDouble(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    if (value == 0) {
      return "0";
    }
    BigDecimal rounded = new BigDecimal(value).round(new MathContext(6, RoundingMode.HALF_EVEN));
    int exponent = rounded.precision() - rounded.scale() - 1;
    if (exponent >= -4 && exponent < 6) {
      return rounded.stripTrailingZeros().toPlainString();
    }
    String mantissa = rounded.movePointLeft(exponent).stripTrailingZeros().toPlainString();
    int magnitude = Math.abs(exponent);
    return mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + magnitude;
  }

  private void decoded(int busySlots) {
    decodes++;
    busySlotsAtDecodes += busySlots;
  }

  private static double perSecond(long tokens, double millis) {
    return millis <= 0 ? 0 : tokens / millis * 1e3;
  }

  private static void metric(StringBuilder text, String name, String help, String type, double value) {
    text.append("# HELP llamacpp:").append(name).append(' ').append(help).append('\n')
        .append("# TYPE llamacpp:").append(name).append(' ').append(type).append('\n')
        .append("llamacpp:").append(name).append(' ').append(cppDouble(value)).append('\n');
  }
}
