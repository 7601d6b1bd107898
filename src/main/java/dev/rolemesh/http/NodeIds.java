package dev.rolemesh.http;

/**
 * What a {@code node_id} may be. The seed accepted any string, so only what would break the node API or the logs is
 * refused: empty ids, control characters (log injection) and {@code /} (it could not be named in
 * {@code DELETE /v1/nodes/{node_id}}). Spaces and any other printable characters are fine.
 */
public final class NodeIds {

  public static final int MAX_CHARS = 128;

  private NodeIds() {}

  /** Why {@code id} cannot be a node id, or null when it can. */
  public static String problem(String id) {
    if (id.isBlank()) {
      return "must not be empty";
    }
    if (id.length() > MAX_CHARS) {
      return "must be at most " + MAX_CHARS + " characters, got " + id.length();
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c) || c == '/') {
        return "must not contain control characters or '/'";
      }
    }
    return null;
  }
}
