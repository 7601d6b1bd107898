package dev.rolemesh.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SlotsTest {

  private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

  @Test
  void slotsAreTakenUpToTheCapacity() {
    assertThat(Slots.take(counts, "n", 2)).isTrue();
    assertThat(Slots.take(counts, "n", 2)).isTrue();
    assertThat(Slots.take(counts, "n", 2)).isFalse();
    assertThat(counts).containsEntry("n", 2);
  }

  @Test
  void racingTakersNeverPassTheCapacity() throws Exception {
    int racers = 16;
    CyclicBarrier start = new CyclicBarrier(racers);
    List<Future<Boolean>> taken = new ArrayList<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(racers)) {
      for (int i = 0; i < racers; i++) {
        taken.add(threads.submit(() -> {
          start.await();
          return Slots.take(counts, "n", 5);
        }));
      }
    }
    long won = 0;
    for (Future<Boolean> take : taken) {
      won += take.get() ? 1 : 0;
    }
    assertThat(won).isEqualTo(5);
    assertThat(counts).containsEntry("n", 5);
  }
}
