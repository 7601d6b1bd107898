package dev.rolemesh.registry;

import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.testing.NodeRegistrations;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Registrations and registries for tests that use the registry directly, without a gateway in front. */
final class Nodes {

  private Nodes() {}

  /** A legacy-schema registration: each role served under its own name. */
  static Registration legacy(String nodeId, String baseUrl, String... roles) {
    return parse(NodeRegistrations.legacy(nodeId, baseUrl, roles));
  }

  /** A served_models registration with one model for the given roles. */
  static Registration serving(String nodeId, String baseUrl, String modelId, String... roles) {
    return parse(NodeRegistrations.serving(nodeId, baseUrl, modelId, roles));
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
}
