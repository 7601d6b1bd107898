package dev.rolemesh.lifecycle;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The first stop signal (SIGTERM or SIGINT) asks for a graceful stop; the second means stop now. Any further ones
 * change nothing: stopping now is already under way.
 */
public final class StopSignals {

  private final AtomicInteger received = new AtomicInteger();
  private final Runnable graceful;
  private final Runnable now;

  public StopSignals(Runnable graceful, Runnable now) {
    this.graceful = graceful;
    this.now = now;
  }

  public void received() {
    switch (received.incrementAndGet()) {
      case 1 -> graceful.run();
      case 2 -> now.run();
      default -> { }
    }
  }
}
