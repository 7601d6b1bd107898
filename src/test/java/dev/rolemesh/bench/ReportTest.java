package dev.rolemesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class ReportTest {

  @Test
  void samplesGiveNearestRankPercentiles() {
    Samples samples = new Samples(4);
    for (long v = 100; v >= 1; v--) {
      samples.add(v * 1000);
    }
    assertThat(samples.percentile(50)).isEqualTo(50_000);
    assertThat(samples.percentile(99)).isEqualTo(99_000);
    assertThat(samples.percentile(100)).isEqualTo(100_000);
    assertThat(samples.percentileMs(99)).isEqualTo(99.0);
    assertThat(new Samples().percentileMs(50)).isNull();
  }

  @Test
  void aNewReportKeepsWhatOtherBenchScriptsWroteBelowTheMarker() {
    String previous = "# Benchmarks\n\nold figures\n\n" + Report.KEPT_BELOW + "\n\n## (e) Agent sessions\n\n| table |\n";
    assertThat(Report.keepingTail("# Benchmarks\n\nnew figures\n", previous))
        .isEqualTo("# Benchmarks\n\nnew figures\n\n" + Report.KEPT_BELOW + "\n\n## (e) Agent sessions\n\n| table |\n");
    assertThat(Report.keepingTail("new\n", "old without the marker\n")).isEqualTo("new\n");
    assertThat(Report.keepingTail("new\n", null)).isEqualTo("new\n");
  }

  @Test
  void cellsShowTheMedianWithMinAndMax() {
    assertThat(Report.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Report.median(List.of(4.0, 1.0))).isEqualTo(2.5);
    assertThat(Report.cell(List.of(12_000.0, 10_500.0, 11_000.0))).isEqualTo("11,000 (10,500–12,000)");
    assertThat(Report.cell(List.of())).isEqualTo("–");
    assertThat(Report.ratio(6.0, 10.0)).isEqualTo("0.60×");
  }

  @Test
  void rendersEveryScenarioWithRatiosAndTargets() {
    List<JsonNode> results = new ArrayList<>();
    String[] targets = {"direct", "gateway", "nginx"};
    double[] rps = {20_000, 12_000, 15_000};
    for (int round = 1; round <= 3; round++) {
      for (int t = 0; t < 3; t++) {
        results.add(Json.object().put("scenario", "chat").put("target", targets[t]).put("round", round)
            .put("rps", rps[t] + round).put("p50_ms", 1.0).put("p99_ms", t == 1 ? 3.0 : 2.0).put("errors", 0));
        results.add(Json.object().put("scenario", "streams").put("target", targets[t]).put("round", round)
            .put("streams", 200).put("tokens", 50).put("token_delay_ms", 50).put("complete", 200)
            .put("chunk_p99_ms", t == 1 ? 4.0 : 1.0).put("rss_peak_mib", 100.0));
        results.add(Json.object().put("scenario", "cancel").put("target", targets[t]).put("round", round)
            .put("mode", "mid").put("p50_ms", 1.0).put("max_ms", 2.0));
      }
      results.add(Json.object().put("scenario", "coldstart").put("target", "aot").put("round", round)
          .put("first_request_ms", 700.0).put("idle_rss_mib", 110.0));
      results.add(Json.object().put("scenario", "coldstart").put("target", "aot-2cpu").put("round", round)
          .put("first_request_ms", 1000.0 + round).put("idle_rss_mib", 110.0));
    }
    ObjectNode meta = Json.object().put("mode", "full").put("rounds", 3).put("date", "today");
    meta.putObject("machine").put("CPU", "test");
    meta.putArray("commands").add("bench/run.sh");

    String markdown = new Report(results, meta).render();

    assertThat(markdown)
        .contains("| requests/s | 20,002 (20,001–20,003) | 12,002 (12,001–12,003) | 15,002 (15,001–15,003) | 0.80× |")
        .contains("| non-streaming requests/s ≥ 0.6× nginx | gateway 12,002 vs nginx 15,002 = 0.80× | yes |")
        .contains("| non-streaming p99 ≤ 2× nginx | gateway 3.00 ms vs nginx 2.00 ms = 1.50× | yes |")
        .contains("per-chunk delay p99 within 5 ms of direct at 200 streams | gateway 4.00 ms vs direct 1.00 ms | yes")
        .contains("mid-stream | median 1.00 ms, worst 2.00 ms | yes")
        .contains("| cold start ≤ 1 s to the first served request, gateway on one core | 700 ms (aot) | yes |")
        .contains("| cold start ≤ 1 s to the first served request, gateway on two cores | 1,002 ms (aot) | **no** |")
        .contains("| with the JDK AOT cache, two cores | 1,002 (1,001–1,003) | 110 (110–110) |")
        .contains("- CPU: test")
        .doesNotContain("Smoke run");
  }
}
