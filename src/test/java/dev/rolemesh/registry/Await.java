package dev.rolemesh.registry;

import java.util.concurrent.TimeUnit;

/** Waits for a state a test cannot be notified of (another process, a cancelled stream); polls, never guesses. */
final class Await {

  /** Only bounds a broken run; a passing run returns as soon as the condition holds. */
  private static final long DEADLINE_SECONDS = 60;

  @FunctionalInterface
  interface Condition {
    boolean holds() throws Exception;
  }

  private Await() {}

  static void until(Condition condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within " + DEADLINE_SECONDS + " s");
      }
      Thread.sleep(10);
    }
  }
}
