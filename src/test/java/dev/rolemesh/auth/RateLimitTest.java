package dev.rolemesh.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-minute limit on a clock the test sets: bursts, refills, debts, and what the headers would say. */
class RateLimitTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = -5 * SECOND;

  @Test
  void aBurstOfTheWholeLimitPassesAndTheNextIsRefusedUntilOneIntervalHasPassed() {
    RateLimit limit = new RateLimit(3, T0);

    assertThat(limit.take(T0).remaining()).isEqualTo(2);
    assertThat(limit.take(T0).remaining()).isEqualTo(1);
    RateLimit.Quota third = limit.take(T0);
    assertThat(third.allowed()).isTrue();
    assertThat(third.remaining()).isZero();
    assertThat(third.resetNanos()).isEqualTo(60 * SECOND);

    RateLimit.Quota refused = limit.take(T0 + SECOND);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterNanos()).isEqualTo(19 * SECOND);
    assertThat(limit.take(T0 + 19 * SECOND).allowed()).isFalse();
    assertThat(limit.take(T0 + 20 * SECOND).allowed()).isTrue();
  }

  @Test
  void refusedAttemptsSpendNothing() {
    RateLimit limit = new RateLimit(1, T0);
    limit.take(T0);
    for (int i = 0; i < 100; i++) {
      assertThat(limit.take(T0 + i).allowed()).isFalse();
    }

    assertThat(limit.take(T0 + 60 * SECOND).allowed()).isTrue();
  }

  @Test
  void anIdleLimitRefillsToItsLimitAndNoFurther() {
    RateLimit limit = new RateLimit(60, T0);
    for (int i = 0; i < 60; i++) {
      assertThat(limit.take(T0).allowed()).isTrue();
    }
    assertThat(limit.take(T0).allowed()).isFalse();

    assertThat(limit.peek(T0 + 10 * SECOND).remaining()).isEqualTo(10);
    assertThat(limit.peek(T0 + 3600 * SECOND).remaining()).isEqualTo(60);
    int passed = 0;
    while (limit.take(T0 + 3600 * SECOND).allowed()) {
      passed++;
    }
    assertThat(passed).isEqualTo(60);
  }

  @Test
  void exactForLimitsThatDoNotDivideAMinute() {
    for (int rpm : new int[] {7, 13, 999_983}) {
      RateLimit limit = new RateLimit(rpm, T0);
      int passed = 0;
      while (limit.take(T0).allowed()) {
        passed++;
      }
      assertThat(passed).as("rpm %d", rpm).isEqualTo(rpm);
    }
  }

  @Test
  void tokensAreChargedAfterwardsAndADebtBlocksUntilPaidOff() {
    RateLimit tokens = new RateLimit(600, T0);

    assertThat(tokens.peek(T0).remaining()).isEqualTo(600);
    tokens.charge(T0, 500);
    assertThat(tokens.peek(T0).allowed()).isTrue();
    assertThat(tokens.peek(T0).remaining()).isEqualTo(100);
    tokens.charge(T0, 400);

    RateLimit.Quota owing = tokens.peek(T0);
    assertThat(owing.allowed()).isFalse();
    assertThat(owing.remaining()).isZero();
    // 900 tokens at 10 per second: 30 s over the minute's 600, then one more token's worth.
    assertThat(owing.retryAfterNanos()).isEqualTo(30 * SECOND + SECOND / 10);
    assertThat(owing.resetNanos()).isEqualTo(90 * SECOND);
    assertThat(tokens.peek(T0 + 30 * SECOND + SECOND / 10).allowed()).isTrue();
  }

  @Test
  void aHugeChargeIsCappedInsteadOfOverflowing() {
    RateLimit tokens = new RateLimit(1, T0);
    tokens.charge(T0, Long.MAX_VALUE / 2);

    RateLimit.Quota owing = tokens.peek(T0);
    assertThat(owing.allowed()).isFalse();
    assertThat(owing.retryAfterNanos()).isPositive();
  }
}
