package dev.rolemesh.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One value of a loaded config tree together with its field path, read into Java types with errors that name the
 * file and the path. An absent key reads as a node whose value is {@code null}.
 *
 * <p>Numeric readers also accept strings that spell a number, because {@code port: ${PORT}} can only produce a
 * string.
 */
public final class ConfigNode {

  /** Reads a node into a value; the checked exception is why {@link java.util.function.Function} won't do. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(ConfigNode node) throws ConfigException;
  }

  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
  private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");

  private final ConfigSources sources;
  private final FieldPath path;
  private final Object value;
  /** For an absent key: a key beside it that looks like a misspelling of it, named in errors about this one. */
  private FieldPath misspelt;

  ConfigNode(ConfigSources sources, FieldPath path, Object value) {
    this.sources = sources;
    this.path = path;
    this.value = value;
  }

  public FieldPath path() {
    return path;
  }

  /** True for an absent key and for an explicit {@code null} (including {@code key:} with nothing after it). */
  public boolean isNull() {
    return value == null;
  }

  /** Whether this value is a mapping, for entries that may be written either as a scalar or as a mapping. */
  public boolean isMap() {
    return value instanceof Map<?, ?>;
  }

  public boolean isList() {
    return value instanceof List<?>;
  }

  Object value() {
    return value;
  }

  /**
   * An error about this value, for checks only the caller knows. For a required key that is missing beside a
   * misspelling of it, the message names the misspelt key too.
   */
  public ConfigException error(String message) {
    if (isNull() && misspelt != null) {
      return sources.error(path, message + " (the file has " + misspelt + ": a misspelling of " + path.segment() + "?)");
    }
    return sources.error(path, message);
  }

  public void warn(String message) {
    sources.warn(path, message);
  }

  void warnUnknownKey(FieldPath key, String suggestion) {
    sources.warnUnknownKey(key, suggestion);
  }

  void misspeltAs(FieldPath key) {
    misspelt = key;
  }

  /** {@code reader}'s reading of this node, or {@code fallback} when it is {@link #isNull()}. */
  public <T> T readOr(T fallback, Reader<T> reader) throws ConfigException {
    return isNull() ? fallback : reader.read(this);
  }

  /**
   * This node as a mapping. Null reads as an empty mapping, because a section whose keys are all commented out
   * parses as null and should mean "all defaults".
   */
  public ConfigMap asMap() throws ConfigException {
    if (isNull()) {
      return new ConfigMap(this, Map.of());
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw error("must be a mapping of key: value, got " + describe(value));
    }
    return new ConfigMap(this, map);
  }

  ConfigNode child(FieldPath childPath, Object childValue) {
    return new ConfigNode(sources, childPath, childValue);
  }

  /** A string with something in it: no field has a use for a blank one, and a blank key or name is a mistake. */
  public String asNonBlankString() throws ConfigException {
    if (value instanceof String text && !text.isBlank()) {
      return text;
    }
    if (value instanceof String) {
      throw error("must not be empty");
    }
    String hint = value instanceof Number || value instanceof Boolean ? " (put it in quotes)" : "";
    throw error("must be a string, got " + describe(value) + hint);
  }

  public int asInt(int min, int max) throws ConfigException {
    BigInteger number = null;
    if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
      number = new BigInteger(value.toString());
    } else if (value instanceof String text && INTEGER.matcher(text.strip()).matches()) {
      number = new BigInteger(text.strip());
    }
    if (number == null
        || number.compareTo(BigInteger.valueOf(min)) < 0
        || number.compareTo(BigInteger.valueOf(max)) > 0) {
      String range = min == max ? String.valueOf(min) : "an integer from " + min + " to " + max;
      throw error("must be " + range + ", got " + describe(value));
    }
    return number.intValue();
  }

  /** true or false (also as the strings an environment variable interpolates to). */
  public boolean asBoolean() throws ConfigException {
    if (value instanceof Boolean flag) {
      return flag;
    }
    if (value instanceof String text && (text.strip().equals("true") || text.strip().equals("false"))) {
      return Boolean.parseBoolean(text.strip());
    }
    throw error("must be true or false, got " + describe(value));
  }

  /** A finite number above zero, as an int or a float ({@code 0.5} is fine). */
  public double asPositiveNumber() throws ConfigException {
    double number = Double.NaN;
    if (value instanceof Number n) {
      number = n.doubleValue();
    } else if (value instanceof String text && DECIMAL.matcher(text.strip()).matches()) {
      number = new BigDecimal(text.strip()).doubleValue();
    }
    if (!(number > 0) || Double.isInfinite(number)) {
      throw error("must be a number > 0, got " + describe(value));
    }
    return number;
  }

  /** A number of seconds above zero, rounded up to whole nanoseconds so that it never becomes zero. */
  public Duration asSeconds() throws ConfigException {
    return Duration.ofNanos((long) Math.ceil(asPositiveNumber() * 1e9));
  }

  /**
   * An http(s) base URL by the gateway's rules for every such URL ({@code proxy_url}, the agent's {@code base_url}
   * and {@code gateway.url}): an optional path prefix kept (a reverse proxy in front), a trailing {@code /v1} stripped.
   */
  public URI asUrl() throws ConfigException {
    try {
      return UpstreamUrls.normalize(asNonBlankString());
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage());
    }
  }

  /** One of the constants of {@code type}, spelled in lower case in the file as {@code round_robin}. */
  public <E extends Enum<E>> E asEnum(Class<E> type) throws ConfigException {
    E[] constants = type.getEnumConstants();
    if (value instanceof String text) {
      for (E constant : constants) {
        if (constant.name().toLowerCase(Locale.ROOT).equals(text)) {
          return constant;
        }
      }
    }
    String choices = Arrays.stream(constants)
        .map(constant -> constant.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
    throw error("must be one of " + choices + ", got " + describe(value));
  }

  /** An immutable list of non-blank strings; a single string is refused rather than taken as a list of one. */
  public List<String> asStringList() throws ConfigException {
    if (!(value instanceof List<?> list)) {
      throw error("must be a list of strings like [\"a\", \"b\"], got " + describe(value));
    }
    List<String> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      out.add(child(path.index(i), list.get(i)).asNonBlankString());
    }
    return List.copyOf(out);
  }

  /** The items of a list as nodes with their own paths ({@code models[2]}), for lists of mappings or numbers. */
  public List<ConfigNode> asList() throws ConfigException {
    if (!(value instanceof List<?> list)) {
      throw error("must be a list, got " + describe(value));
    }
    List<ConfigNode> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      out.add(child(path.index(i), list.get(i)));
    }
    return List.copyOf(out);
  }

  /**
   * A mapping whose contents are not checked, as plain values, deeply immutable and in file order. Null values are
   * kept, which {@code Map.copyOf} would refuse.
   */
  public Map<String, Object> asFreeformMap() throws ConfigException {
    if (!(value instanceof Map<?, ?>)) {
      throw error("must be a mapping of key: value, got " + describe(value));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> frozen = (Map<String, Object>) freeze(value);
    return frozen;
  }

  private static Object freeze(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      map.forEach((key, item) -> out.put(key, freeze(item)));
      return Collections.unmodifiableMap(out);
    }
    if (value instanceof List<?> list) {
      return list.stream().map(ConfigNode::freeze).toList();
    }
    return value;
  }

  /** How a value is shown after "got" in messages: strings quoted and escaped so the message stays one line. */
  static String describe(Object value) {
    if (value instanceof String text) {
      StringBuilder out = new StringBuilder("\"");
      text.codePoints().forEach(c -> {
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\t' -> out.append("\\t");
          default -> {
            if (Character.isISOControl(c)) {
              out.append(String.format("\\u%04x", c));
            } else {
              out.appendCodePoint(c);
            }
          }
        }
      });
      return out.append('"').toString();
    }
    if (value instanceof Map<?, ?>) {
      return "a mapping";
    }
    if (value instanceof List<?>) {
      return "a list";
    }
    return String.valueOf(value);
  }
}
