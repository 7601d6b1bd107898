package dev.rolemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Numbers in /metrics must print like C++'s {@code std::ostream << double}, as in the capture. */
class LlamaMetricsTest {

  @Test
  void doublesPrintWithSixSignificantDigitsAndNoTrailingZeros() {
    assertThat(LlamaMetrics.cppDouble(48)).isEqualTo("48");
    assertThat(LlamaMetrics.cppDouble(0)).isEqualTo("0");
    assertThat(LlamaMetrics.cppDouble(0.129)).isEqualTo("0.129");
    assertThat(LlamaMetrics.cppDouble(16.0 / 43 * 1000)).isEqualTo("372.093");
    assertThat(LlamaMetrics.cppDouble(5000.0 / 3)).isEqualTo("1666.67");
    assertThat(LlamaMetrics.cppDouble(1)).isEqualTo("1");
    assertThat(LlamaMetrics.cppDouble(0.0001)).isEqualTo("0.0001");
  }

  @Test
  void largeAndTinyNumbersSwitchToExponentForm() {
    assertThat(LlamaMetrics.cppDouble(999_999)).isEqualTo("999999");
    assertThat(LlamaMetrics.cppDouble(1_234_567)).isEqualTo("1.23457e+06");
    assertThat(LlamaMetrics.cppDouble(1e6)).isEqualTo("1e+06");
    assertThat(LlamaMetrics.cppDouble(0.00001234)).isEqualTo("1.234e-05");
  }

  @Test
  void countersFollowTraffic() {
    LlamaMetrics metrics = new LlamaMetrics();
    metrics.promptProcessed(10, 20.0, 1);
    metrics.tokenPredicted(2);
    metrics.tokenPredicted(2);
    metrics.generationTime(4.0);

    String text = metrics.render(1, 3);
    assertThat(text)
        .contains("llamacpp:prompt_tokens_total 10\n")
        .contains("llamacpp:prompt_seconds_total 0.02\n")
        .contains("llamacpp:tokens_predicted_total 2\n")
        .contains("llamacpp:n_decode_total 3\n")
        .contains("llamacpp:prompt_tokens_seconds 500\n")
        .contains("llamacpp:predicted_tokens_seconds 500\n")
        .contains("llamacpp:requests_processing 1\n")
        .contains("llamacpp:requests_deferred 3\n")
        .contains("llamacpp:n_busy_slots_per_decode 1.66667\n");
  }
}
