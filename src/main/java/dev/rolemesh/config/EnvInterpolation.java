package dev.rolemesh.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-fallback}} in every string value of a tree, so secrets and
 * per-machine addresses can live in the environment rather than in a tracked file.
 *
 * <ul>
 *   <li>{@code ${NAME}}: the variable's value, which may be empty; an unset variable is an error.
 *   <li>{@code ${NAME:-fallback}}: the fallback when the variable is unset or empty, as in a POSIX shell.
 *   <li><code>$${</code>: a literal <code>${</code>; a {@code $} anywhere else is kept as is, so {@code pa$$word}
 *       survives.
 * </ul>
 *
 * Mapping keys are not expanded: they name the structure, not values. Substituted text is not scanned again, so a
 * variable holding {@code ${X}} stays literal.
 */
final class EnvInterpolation {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private EnvInterpolation() {}

  static Object expand(Object tree, Map<String, String> env, ConfigSources sources) throws ConfigException {
    return expand(tree, FieldPath.ROOT, env, sources);
  }

  private static Object expand(Object value, FieldPath path, Map<String, String> env, ConfigSources sources)
      throws ConfigException {
    if (value instanceof String text) {
      return expandString(text, path, env, sources);
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        String key = (String) entry.getKey();
        out.put(key, expand(entry.getValue(), path.key(key), env, sources));
      }
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        out.add(expand(list.get(i), path.index(i), env, sources));
      }
      return out;
    }
    return value;
  }

  private static String expandString(String text, FieldPath path, Map<String, String> env, ConfigSources sources)
      throws ConfigException {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int close = text.indexOf('}', i + 2);
        if (close < 0) {
          throw sources.error(path, "unclosed ${ in " + ConfigNode.describe(text) + " (write $${ for a literal ${)");
        }
        out.append(lookup(text.substring(i + 2, close), path, env, sources));
        i = close + 1;
      } else {
        out.append(text.charAt(i));
        i++;
      }
    }
    return out.toString();
  }

  /** @param reference what stands between <code>${</code> and <code>}</code> */
  private static String lookup(String reference, FieldPath path, Map<String, String> env, ConfigSources sources)
      throws ConfigException {
    int separator = reference.indexOf(":-");
    String name = separator < 0 ? reference : reference.substring(0, separator);
    if (!NAME.matcher(name).matches()) {
      throw sources.error(path, "invalid variable reference ${" + reference
          + "}: expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)");
    }
    String value = env.get(name);
    if (separator >= 0 && (value == null || value.isEmpty())) {
      return reference.substring(separator + 2);
    }
    if (value == null) {
      throw sources.error(path, "environment variable " + name + " is not set (use ${" + name
          + ":-default} to give a default)");
    }
    return value;
  }
}
