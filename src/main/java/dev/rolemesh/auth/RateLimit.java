package dev.rolemesh.auth;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A per-minute limit as the generic cell rate algorithm: one number, the time at which the limit would be whole
 * again, moved forward by one interval (a minute divided by the limit) per unit spent. Up to the whole limit may be
 * spent at once, after which units come back one interval apart. Deciding is a read and a compare-and-set, with no
 * lock and no per-request memory, so event loops sharing a key never wait for each other.
 *
 * <p>Pure: the caller passes the time (nanoseconds from any monotonic origin), so tests decide it.
 */
final class RateLimit {

  static final long WINDOW_NANOS = 60_000_000_000L;

  private final int limit;
  private final long interval;
  /** {@code limit} intervals: at most a minute, and exactly {@code limit} units from full to empty. */
  private final long burst;
  private final AtomicLong full;

  RateLimit(int limitPerMinute, long now) {
    this.limit = limitPerMinute;
    this.interval = WINDOW_NANOS / limitPerMinute;
    this.burst = interval * limitPerMinute;
    this.full = new AtomicLong(now);
  }

  /**
   * Where a limit stands after a decision.
   *
   * @param remaining units that could still be spent at once
   * @param resetNanos until the limit is whole again
   * @param retryAfterNanos until the next unit may be spent, 0 when one may be now
   */
  record Quota(int limit, long remaining, long resetNanos, long retryAfterNanos) {

    boolean allowed() {
      return retryAfterNanos == 0;
    }
  }

  /** Spends one unit when one is left; a refused attempt spends nothing. */
  Quota take(long now) {
    while (true) {
      long current = full.get();
      long next = later(current, now) + interval;
      if (next - now > burst) {
        return refused(next, now);
      }
      if (full.compareAndSet(current, next)) {
        return quota(next, now, 0);
      }
    }
  }

  /** Whether a unit is left now, spending nothing: for tokens, whose cost is known only once the answer is in. */
  Quota peek(long now) {
    long next = later(full.get(), now) + interval;
    return next - now > burst ? refused(next, now) : quota(next - interval, now, 0);
  }

  /** Records units already spent, even beyond the limit: the debt is then paid off before the next unit. */
  void charge(long now, long units) {
    long cost = units >= WINDOW_NANOS / interval * 1_000 ? burst * 1_000 : units * interval;
    full.updateAndGet(current -> later(current, now) + cost);
  }

  private Quota refused(long next, long now) {
    return quota(full.get(), now, next - now - burst);
  }

  private Quota quota(long fullAt, long now, long retryAfter) {
    long owed = Math.max(0, fullAt - now);
    long remaining = Math.max(0, (burst - owed) / interval);
    return new Quota(limit, remaining, owed, Math.max(0, retryAfter));
  }

  // Compared by difference: nanoTime values may be negative and only their differences mean anything.
  private static long later(long a, long b) {
    return a - b > 0 ? a : b;
  }
}
