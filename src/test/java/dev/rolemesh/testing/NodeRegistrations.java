package dev.rolemesh.testing;

/** The bodies a node sends to {@code POST /v1/nodes/register}, in both schemas the gateway accepts. */
public final class NodeRegistrations {

  private NodeRegistrations() {}

  /** The legacy schema: each role served under its own name. */
  public static String legacy(String nodeId, String baseUrl, String... roles) {
    return "{\"node_id\":\"" + nodeId + "\",\"base_url\":\"" + baseUrl + "\",\"roles\":" + quoted(roles) + "}";
  }

  /** The served_models schema, with one model for the given roles. */
  public static String serving(String nodeId, String baseUrl, String modelId, String... roles) {
    return "{\"node_id\":\"" + nodeId + "\",\"base_url\":\"" + baseUrl + "\",\"served_models\":[{"
        + "\"model_id\":\"" + modelId + "\",\"roles\":" + quoted(roles) + "}]}";
  }

  private static String quoted(String... values) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      out.append(i == 0 ? "" : ",").append('"').append(values[i]).append('"');
    }
    return out.append(']').toString();
  }
}
