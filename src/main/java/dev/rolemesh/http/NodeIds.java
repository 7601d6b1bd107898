package dev.rolemesh.http;

/**
 * What a {@code node_id} may be: ASCII letters, digits and {@code . _ : @ -}, starting with a letter or digit, at
 * most {@value #MAX_CHARS} characters. Every such id can be named in {@code DELETE /v1/nodes/{node_id}} as it is
 * (no {@code /}, {@code ?}, {@code #}, {@code %} or {@code \}, and no {@code .} or {@code ..} that path
 * normalisation would swallow), is safe in logs, and cannot pass for another id (no spaces, no look-alike or
 * direction-changing Unicode such as U+202E).
 */
public final class NodeIds {

  public static final int MAX_CHARS = 128;
  public static final String RULE =
      "may contain only ASCII letters, digits and . _ : @ -, starting with a letter or digit";

  private NodeIds() {}

  /** Why {@code id} cannot be a node id, or null when it can. */
  public static String problem(String id) {
    if (id.isEmpty()) {
      return "must not be empty";
    }
    if (id.length() > MAX_CHARS) {
      return "must be at most " + MAX_CHARS + " characters, got " + id.length();
    }
    if (!letterOrDigit(id.charAt(0))) {
      return RULE + "; it starts with " + describe(id.charAt(0));
    }
    for (int i = 1; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!letterOrDigit(c) && ".-_:@".indexOf(c) < 0) {
        return RULE + "; found " + describe(c) + " at index " + i;
      }
    }
    return null;
  }

  private static boolean letterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** Printable ASCII as itself, anything else by code point, so the message itself is safe to log and read. */
  private static String describe(char c) {
    return c > ' ' && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }
}
