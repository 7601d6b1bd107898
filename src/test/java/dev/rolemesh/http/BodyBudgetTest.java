package dev.rolemesh.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BodyBudgetTest {

  @Test
  void aReservationGrowsWithinTheLimitAndIsReleasedOnce() {
    BodyBudget budget = new BodyBudget(100);
    BodyBudget.Reservation first = budget.open();
    BodyBudget.Reservation second = budget.open();

    assertThat(first.grow(60)).isTrue();
    assertThat(second.grow(50)).as("would make 110").isFalse();
    assertThat(second.grow(40)).isTrue();
    assertThat(budget.heldBytes()).isEqualTo(100);

    first.release();
    first.release();
    assertThat(budget.heldBytes()).isEqualTo(40);
    assertThat(first.grow(1)).as("a released reservation takes nothing more").isFalse();
    second.release();
    assertThat(budget.heldBytes()).isZero();
  }

  @Test
  void theDefaultIsAQuarterOfTheHeap() {
    assertThat(BodyBudget.defaultBytes(384L << 20)).isEqualTo(96L << 20);
    assertThat(BodyBudget.of(null).limitBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
    assertThat(BodyBudget.of(5L << 20).limitBytes()).isEqualTo(5L << 20);
  }

  @Test
  void concurrentReservationsNeverOvershoot() throws Exception {
    BodyBudget budget = new BodyBudget(1000);
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      threads.add(Thread.ofPlatform().start(() -> {
        BodyBudget.Reservation reservation = budget.open();
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int j = 0; j < 1000; j++) {
          if (reservation.grow(7)) {
            granted.addAndGet(7);
          }
        }
      }));
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(budget.heldBytes()).isEqualTo(granted.get()).isLessThanOrEqualTo(1000).isGreaterThan(1000 - 7);
  }
}
