package dev.rolemesh.testing;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waiting on state instead of sleeping. The deadline is only there so a broken build fails instead of hanging; it is
 * never what a test asserts, so it is generous enough for the slowest thing waited on (a child JVM starting on a
 * loaded machine).
 */
public final class Await {

  public static final Duration DEADLINE = Duration.ofSeconds(90);

  /**
   * Long enough that a condition which makes an HTTP call does not load the server under test, short enough that a
   * passing test hardly waits.
   */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** A condition that may need I/O to check; an exception it throws fails the wait at once. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  private Await() {}

  public static <T> T result(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not succeed: " + e, e);
    }
  }

  public static void until(String what, Condition condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!check(what, condition)) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("still waiting for: " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  private static boolean check(String what, Condition condition) {
    try {
      return condition.holds();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("failed while waiting for " + what + ": " + e, e);
    }
  }
}
