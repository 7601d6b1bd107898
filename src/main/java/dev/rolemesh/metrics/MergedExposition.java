package dev.rolemesh.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Other servers' Prometheus text (each llama-server's {@code llamacpp:*}), read and re-exposed through the client
 * library with labels of ours added ({@code model}, {@code gpu}), so that one scrape of the node agent shows every
 * server apart. A counter keeps its type (its {@code _total} is written back by the library); every other sample is
 * re-exposed as a gauge, because llama-server exposes no histograms and a counter without {@code _total} (its
 * {@code n_tokens_max}) is a high-water mark. Lines that cannot be read are skipped: a server's odd metric must not
 * cost the agent its own.
 */
public final class MergedExposition {

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+-?\\d+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  private record Family(String name, boolean counter, String help, List<Point> points) {}

  private record Point(Labels labels, double value) {}

  private final Map<String, Family> families = new LinkedHashMap<>();

  /**
   * @param text one server's exposition
   * @param labels names and values added to each of its samples, e.g. {@code "model", "qwen", "gpu", "0"}
   */
  public void add(String text, String... labels) {
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> helps = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      String[] parts = line.split(" ", 4);
      if (line.startsWith("# TYPE ") && parts.length >= 4) {
        types.put(parts[2], parts[3].strip());
      } else if (line.startsWith("# HELP ") && parts.length >= 3) {
        helps.put(parts[2], parts.length == 4 ? parts[3] : "");
      } else if (!line.isBlank() && !line.startsWith("#")) {
        sample(line, types, helps, labels);
      }
    }
  }

  private void sample(String line, Map<String, String> types, Map<String, String> helps, String[] extra) {
    Matcher sample = SAMPLE.matcher(line.strip());
    if (!sample.matches()) {
      return;
    }
    String name = sample.group(1);
    double value;
    try {
      value = Double.parseDouble(sample.group(3).replace("inf", "Infinity").replace("nan", "NaN"));
    } catch (NumberFormatException e) {
      return;
    }
    boolean counter = "counter".equals(types.get(name)) && name.endsWith("_total");
    String family = counter ? name.substring(0, name.length() - "_total".length()) : name;
    if (!PrometheusNaming.isValidMetricName(family)) {
      return;
    }
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    if (sample.group(2) != null) {
      Matcher label = LABEL.matcher(sample.group(2));
      while (label.find()) {
        names.add(label.group(1));
        values.add(label.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
      }
    }
    for (int i = 0; i + 1 < extra.length; i += 2) {
      if (!names.contains(extra[i])) {
        names.add(extra[i]);
        values.add(extra[i + 1]);
      }
    }
    Family known = families.computeIfAbsent(family,
        f -> new Family(f, counter, helps.getOrDefault(name, ""), new ArrayList<>()));
    if (known.counter() == counter) {
      known.points().add(new Point(Labels.of(names, values), value));
    }
  }

  /** Everything added so far, one snapshot per metric; a series seen twice keeps its first value. */
  public List<MetricSnapshot> snapshots() {
    List<MetricSnapshot> out = new ArrayList<>();
    for (Family family : families.values()) {
      Map<Labels, Double> points = new LinkedHashMap<>();
      family.points().forEach(point -> points.putIfAbsent(point.labels(), point.value()));
      if (family.counter()) {
        CounterSnapshot.Builder counter = CounterSnapshot.builder().name(family.name()).help(family.help());
        points.forEach((labels, value) -> counter.dataPoint(
            CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build()));
        out.add(counter.build());
      } else {
        GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(family.name()).help(family.help());
        points.forEach((labels, value) -> gauge.dataPoint(
            GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build()));
        out.add(gauge.build());
      }
    }
    return out;
  }

  /** {@code own} followed by the merged metrics, as one exposition. */
  public MetricSnapshots with(MetricSnapshots own) {
    List<MetricSnapshot> all = new ArrayList<>(own.stream().toList());
    snapshots().stream().filter(merged -> all.stream().noneMatch(
        mine -> mine.getMetadata().getPrometheusName().equals(merged.getMetadata().getPrometheusName())))
        .forEach(all::add);
    return new MetricSnapshots(all);
  }
}
