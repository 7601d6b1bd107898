package dev.rolemesh.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.testing.ScrapedMetrics;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A real llama-server's /metrics, merged for two GPUs with model and gpu labels, written by the client library. */
class MergedExpositionTest {

  @Test
  void twoServersStayApartByTheirLabelsAndKeepTheirTypes() throws IOException {
    String captured = fixture();
    MergedExposition merged = new MergedExposition();
    merged.add(captured, "model", "qwen", "gpu", "0");
    merged.add(captured.replace("llamacpp:prompt_tokens_total 48", "llamacpp:prompt_tokens_total 7"),
        "model", "llama", "gpu", "1");

    String text = new String(Exposition.text(merged.with(new MetricSnapshots())), StandardCharsets.UTF_8);
    ScrapedMetrics parsed = ScrapedMetrics.parse(text);

    assertThat(parsed.value("llamacpp:prompt_tokens_total", "model", "qwen", "gpu", "0")).isEqualTo(48);

    assertThat(text).contains("# TYPE llamacpp:prompt_tokens_total counter");
    assertThat(text).contains("# TYPE llamacpp:n_tokens_max gauge");
    assertThat(parsed.has("llamacpp:prompt_tokens_total", "model", "qwen", "gpu", "0")).isTrue();
    assertThat(parsed.value("llamacpp:prompt_tokens_total", "model", "llama", "gpu", "1")).isEqualTo(7);
    assertThat(parsed.has("llamacpp:requests_processing", "model", "llama", "gpu", "1")).isTrue();
  }

  @Test
  void linesThatCannotBeReadAreSkipped() {
    MergedExposition merged = new MergedExposition();
    merged.add("# TYPE odd counter\nodd_total not-a-number\n{broken\nfine 3\n", "gpu", "0");

    String text = new String(Exposition.text(merged.with(new MetricSnapshots())), StandardCharsets.UTF_8);

    assertThat(text).contains("fine{gpu=\"0\"} 3.0").doesNotContain("odd");
  }

  private static String fixture() throws IOException {
    try (InputStream in = MergedExpositionTest.class.getResourceAsStream("/fixtures/llama-server/metrics.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
