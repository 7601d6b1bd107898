package dev.rolemesh.bench;

import java.util.Arrays;

/** A growable array of long samples (microseconds, usually) with exact nearest-rank percentiles. Single-threaded. */
final class Samples {

  private long[] values;
  private int size;
  private boolean sorted = true;

  Samples() {
    this(1024);
  }

  Samples(int capacity) {
    values = new long[Math.max(16, capacity)];
  }

  void add(long value) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = value;
    sorted = false;
  }

  int size() {
    return size;
  }

  /** The nearest-rank percentile ({@code p} in 0..100); the samples must not be empty. */
  long percentile(double p) {
    if (size == 0) {
      throw new IllegalStateException("no samples");
    }
    if (!sorted) {
      Arrays.sort(values, 0, size);
      sorted = true;
    }
    int rank = (int) Math.ceil(p / 100.0 * size);
    return values[Math.min(size - 1, Math.max(0, rank - 1))];
  }

  /** The percentile in milliseconds (samples in microseconds), two decimals; null when there are no samples. */
  Double percentileMs(double p) {
    return size == 0 ? null : ms(percentile(p));
  }

  static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }
}
