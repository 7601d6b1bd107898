package dev.rolemesh.config;

import java.time.Duration;

/** How durations from the config ({@code read_s}, {@code connect_s} …) are quoted back in messages. */
public final class Seconds {

  private Seconds() {}

  /** {@code 5s}, {@code 0.5s}: whole seconds without a fraction, others with one. */
  public static String format(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() / 1000.0 + "s";
  }
}
