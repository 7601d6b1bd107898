package dev.rolemesh.testing;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses Prometheus text format into one value per sample, keyed {@code name{a="1",b="2"}} with the labels sorted,
 * so a test can read a series without caring about label order. Fails on a line that is not a sample, a comment or
 * blank: a malformed exposition must not pass for an empty one.
 */
public final class ScrapedMetrics {

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)( \\d+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  private final Map<String, Double> samples;

  private ScrapedMetrics(Map<String, Double> samples) {
    this.samples = samples;
  }

  public static ScrapedMetrics parse(String text) {
    Map<String, Double> samples = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      if (!sample.matches()) {
        throw new AssertionError("not a Prometheus sample line: " + line);
      }
      Map<String, String> labels = new TreeMap<>();
      if (sample.group(3) != null) {
        Matcher label = LABEL.matcher(sample.group(3));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      samples.put(key(sample.group(1), labels), Double.parseDouble(sample.group(4)));
    }
    return new ScrapedMetrics(samples);
  }

  /** @param labels name, value, name, value... in any order */
  public double value(String name, String... labels) {
    return samples.getOrDefault(key(name, sorted(labels)), 0.0);
  }

  public boolean has(String name, String... labels) {
    return samples.containsKey(key(name, sorted(labels)));
  }

  private static Map<String, String> sorted(String... labels) {
    Map<String, String> sorted = new TreeMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      sorted.put(labels[i], labels[i + 1]);
    }
    return sorted;
  }

  public Map<String, Double> samples() {
    return samples;
  }

  private static String key(String name, Map<String, String> labels) {
    StringBuilder out = new StringBuilder(name).append('{');
    labels.forEach((label, value) -> out.append(label).append("=\"").append(value).append("\","));
    return out.append('}').toString();
  }
}
