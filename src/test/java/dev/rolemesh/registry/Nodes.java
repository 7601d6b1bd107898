package dev.rolemesh.registry;

import dev.rolemesh.observability.JsonLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Registration bodies and registries for tests. */
final class Nodes {

  private Nodes() {}

  /** A legacy-schema registration: each role served under its own name. */
  static Registration legacy(String nodeId, String baseUrl, String... roles) {
    return parse("{\"node_id\":\"" + nodeId + "\",\"base_url\":\"" + baseUrl + "\",\"roles\":"
        + quoted(roles) + "}");
  }

  /** A served_models registration with one model for the given roles. */
  static Registration serving(String nodeId, String baseUrl, String modelId, String... roles) {
    return parse("{\"node_id\":\"" + nodeId + "\",\"base_url\":\"" + baseUrl + "\",\"served_models\":[{"
        + "\"model_id\":\"" + modelId + "\",\"roles\":" + quoted(roles) + "}]}");
  }

  static NodeRegistry inMemory(TestClock clock, Duration staleAfter) {
    return NodeRegistry.open(new RegistrySettings(null, staleAfter, clock), JsonLog.stdout());
  }

  private static Registration parse(String json) {
    try {
      return NodeJson.registration(json.getBytes(StandardCharsets.UTF_8));
    } catch (NodeJson.Invalid e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static String quoted(String... values) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      out.append(i == 0 ? "" : ",").append('"').append(values[i]).append('"');
    }
    return out.append(']').toString();
  }
}
