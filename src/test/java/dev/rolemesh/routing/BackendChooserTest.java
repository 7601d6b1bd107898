package dev.rolemesh.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.http.Upstream;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.registry.NodeJson;
import dev.rolemesh.registry.NodeRegistry;
import dev.rolemesh.registry.RegistrySettings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendChooserTest {

  private static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(60), null);

  private final NodeRegistry registry = NodeRegistry.open(
      new RegistrySettings(null, Duration.ofSeconds(30), InstantSource.system()), JsonLog.stdout());
  private final BackendChooser chooser = new BackendChooser(registry);
  private final Role reviewer = Role.of(new ModelConfig("reviewer", "reviewer", Map.of("model", "ignored"),
      TIMEOUTS, new ModelTarget.Discovered("reviewer", ModelTarget.Strategy.ROUND_ROBIN)));

  private void register(String json) throws Exception {
    registry.register(NodeJson.registration(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aNodeBecomesAnUpstreamWithItsModelIdAndTheRolesTimeouts() throws Exception {
    register("""
        {"node_id":"gpu-box-1","base_url":"http://10.0.0.12:8014","served_models":[
          {"model_id":"coder-14b","roles":["coder"]},{"model_id":"qwen3-8b","roles":["planner","reviewer"]}]}""");

    assertThat(chooser.candidates(reviewer)).containsExactly(
        new Upstream(URI.create("http://10.0.0.12:8014"), "qwen3-8b", null, TIMEOUTS, "gpu-box-1"));
  }

  @Test
  void askingWhetherARoleCanServeDoesNotTakeATurnOfItsRotation() throws Exception {
    register("{\"node_id\":\"a\",\"base_url\":\"http://a:1\",\"roles\":[\"reviewer\"]}");
    register("{\"node_id\":\"b\",\"base_url\":\"http://b:1\",\"roles\":[\"reviewer\"]}");

    assertThat(chooser.candidates(reviewer).getFirst().nodeId()).isEqualTo("a");
    assertThat(chooser.hasFreshNode(reviewer)).isTrue();
    assertThat(chooser.hasFreshNode(reviewer)).isTrue();
    assertThat(chooser.candidates(reviewer).getFirst().nodeId()).isEqualTo("b");
  }
}
