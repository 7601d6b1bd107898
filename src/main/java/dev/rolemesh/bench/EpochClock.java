package dev.rolemesh.bench;

import java.time.Instant;

/**
 * Wall-clock microseconds that never step back: an {@link Instant} read once (microsecond precision on Linux) plus
 * monotonic time since. The simulator stamps chunks with the same kind of clock, so a receive time minus a
 * {@code sim_sent_us} stamp is the chunk's delay on this machine.
 */
final class EpochClock {

  private final long anchorMicros;
  private final long anchorNanos;

  EpochClock() {
    Instant now = Instant.now();
    this.anchorNanos = System.nanoTime();
    this.anchorMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  long micros() {
    return anchorMicros + (System.nanoTime() - anchorNanos) / 1_000;
  }
}
