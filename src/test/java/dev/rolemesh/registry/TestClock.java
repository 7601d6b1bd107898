package dev.rolemesh.registry;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/** A clock the test moves by hand, so staleness and cooldowns are tested without waiting. */
final class TestClock implements InstantSource {

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-06-01T12:00:00Z"));

  @Override
  public Instant instant() {
    return now.get();
  }

  void advance(Duration by) {
    now.updateAndGet(at -> at.plus(by));
  }
}
