package dev.rolemesh.config;

import java.util.regex.Pattern;

/**
 * Where a value sits in a config tree, printed the way users write it: {@code models.planner.proxy_url},
 * {@code auth.client_api_keys[1]}. Keys that would make the printed path ambiguous (a model alias such as
 * {@code qwen2.5}) are quoted.
 *
 * @param parent the enclosing path, {@code null} only for {@link #ROOT}
 * @param segment this step as printed: a key (quoted if needed) or {@code [index]}
 */
public record FieldPath(FieldPath parent, String segment) {

  public static final FieldPath ROOT = new FieldPath(null, "");

  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  public FieldPath key(String key) {
    return new FieldPath(this, PLAIN_KEY.matcher(key).matches() ? key : ConfigNode.describe(key));
  }

  public FieldPath index(int index) {
    return new FieldPath(this, "[" + index + "]");
  }

  public boolean isRoot() {
    return parent == null;
  }

  @Override
  public String toString() {
    if (isRoot()) {
      return "";
    }
    String prefix = parent.toString();
    boolean needsDot = !prefix.isEmpty() && !segment.startsWith("[");
    return needsDot ? prefix + "." + segment : prefix + segment;
  }
}
