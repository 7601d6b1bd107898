package dev.rolemesh.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.http.Upstream;
import java.net.URI;
import org.junit.jupiter.api.Test;

class ServedByTest {

  private static Upstream upstream(String url, String nodeId) {
    return new Upstream(URI.create(url), "m", null, Timeouts.DEFAULTS, nodeId);
  }

  @Test
  void aFixedUpstreamIsNamedByHostAndPortWithoutItsPath() {
    ServedBy servedBy = ServedBy.of("writer", new ModelTarget.Proxy(URI.create("http://10.0.0.5:8012/ollama"), null));

    assertThat(servedBy.of(upstream("http://10.0.0.5:8012/ollama", null))).hasToString("writer@10.0.0.5:8012");
  }

  @Test
  void aUrlWithoutAPortNamesTheSchemesPort() {
    assertThat(ServedBy.of("a", new ModelTarget.Proxy(URI.create("https://gpu-box"), null))
        .of(upstream("https://gpu-box", null))).hasToString("a@gpu-box:443");
    assertThat(ServedBy.of("a", new ModelTarget.Proxy(URI.create("http://[::1]"), null))
        .of(upstream("http://[::1]", null))).hasToString("a@[::1]:80");
  }

  @Test
  void aNodeIsNamedByItsIdAndTheValueIsMadeOnce() {
    ServedBy servedBy = ServedBy.of("reviewer", new ModelTarget.Discovered("reviewer", ModelTarget.Strategy.RANDOM));

    CharSequence first = servedBy.of(upstream("http://10.0.0.7:8080", "gpu-1@rack2"));

    assertThat(first).hasToString("reviewer@gpu-1@rack2");
    assertThat(servedBy.of(upstream("http://10.0.0.7:8080", "gpu-1@rack2"))).isSameAs(first);
  }

  @Test
  void anAliasThatIsNotPlainAsciiIsPercentEncodedSoItsFirstAtEndsIt() {
    assertThat(ServedBy.encode("qwen2.5-coder:14b")).isEqualTo("qwen2.5-coder:14b");
    assertThat(ServedBy.encode("team@coder 100%")).isEqualTo("team%40coder%20100%25");
    assertThat(ServedBy.encode("écrivain")).isEqualTo("%C3%A9crivain");
  }
}
