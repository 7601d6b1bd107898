package dev.rolemesh.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.QueueSettings;
import dev.rolemesh.config.Timeouts;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The queue's bookkeeping with a backend of a few slots played by a counter: FIFO, limits, leaving, reloads. */
class RoleQueueTest {

  /** A body budget no test here comes near, but the one about bodies. */
  private static final long BUDGET = 1_000_000;

  private final Queues queues = new Queues();
  private final List<String> admitted = new ArrayList<>();
  private int free;

  private RoleQueue configure(int maxWaiting) {
    return configure("coder", maxWaiting);
  }

  private RoleQueue configure(String alias, int maxWaiting) {
    queues.configure(List.of(new ModelConfig(alias, alias, Map.of(), Timeouts.DEFAULTS,
        new ModelTarget.Proxy(URI.create("http://127.0.0.1:1"), null),
        new QueueSettings(maxWaiting, Duration.ofSeconds(30)))));
    return queues.of(alias);
  }

  /** A request that takes a slot when one is free, as the endpoint's waiter does. */
  private Waiter request(String name) {
    return () -> {
      if (free == 0) {
        return false;
      }
      free--;
      admitted.add(name);
      return true;
    };
  }

  @Test
  void waitersGetFreedSlotsInArrivalOrder() {
    RoleQueue queue = configure(10);
    assertThat(queue.arrive(request("a"), 0, BUDGET)).isEqualTo(AdmissionPolicy.Outcome.ENQUEUE);
    assertThat(queue.arrive(request("b"), 0, BUDGET)).isEqualTo(AdmissionPolicy.Outcome.ENQUEUE);
    assertThat(queue.arrive(request("c"), 0, BUDGET)).isEqualTo(AdmissionPolicy.Outcome.ENQUEUE);
    assertThat(queue.waiting()).isEqualTo(3);

    free = 1;
    queues.slotFreed();
    assertThat(admitted).containsExactly("a");
    free = 2;
    queues.slotFreed();

    assertThat(admitted).containsExactly("a", "b", "c");
    assertThat(queue.idle()).isTrue();
  }

  @Test
  void aFreeSlotGoesToTheFirstInLineNotToANewcomer() {
    RoleQueue queue = configure(10);
    queue.arrive(request("first"), 0, BUDGET);
    free = 1;

    assertThat(queue.arrive(request("newcomer"), 0, BUDGET)).isEqualTo(AdmissionPolicy.Outcome.ENQUEUE);

    // the newcomer's arrival handed the slot that freed meanwhile to the one waiting
    assertThat(admitted).containsExactly("first");
    assertThat(queue.waiting()).isEqualTo(1);
  }

  @Test
  void anArrivalAtAnEmptyQueueTakesAFreeSlotAtOnce() {
    RoleQueue queue = configure(10);
    free = 1;

    assertThat(queue.arrive(request("a"), 0, BUDGET)).isEqualTo(AdmissionPolicy.Outcome.ADMIT);
    assertThat(admitted).containsExactly("a");
    assertThat(queue.idle()).isTrue();
  }

  @Test
  void beyondMaxWaitingArrivalsAreRefusedAndAReloadChangesTheLimitForArrivals() {
    RoleQueue queue = configure(1);
    queue.arrive(request("a"), 0, BUDGET);

    assertThat(queue.arrive(request("b"), 0, BUDGET)).isEqualTo(AdmissionPolicy.Outcome.REJECT);

    assertThat(configure(2)).isSameAs(queue);
    assertThat(queue.arrive(request("c"), 0, BUDGET)).isEqualTo(AdmissionPolicy.Outcome.ENQUEUE);
    free = 2;
    queues.slotFreed();
    assertThat(admitted).containsExactly("a", "c");
  }

  @Test
  void aRequestThatLeavesIsNeverAdmitted() {
    RoleQueue queue = configure(10);
    Waiter leaver = request("leaver");
    queue.arrive(leaver, 0, BUDGET);
    queue.arrive(request("stayer"), 0, BUDGET);

    assertThat(queue.leave(leaver)).isTrue();
    free = 2;
    queues.slotFreed();

    assertThat(admitted).containsExactly("stayer");
    assertThat(queue.leave(leaver)).isFalse();
    assertThat(queues.waiting()).containsEntry("coder", 0);
  }

  @Test
  void queuesWaitingForTheSameSlotsGetThemInArrivalOrderAcrossQueues() {
    // the counter plays slots both queues wait for (two aliases of one discovered role)
    RoleQueue one = configure("one", 10);
    RoleQueue two = configure("two", 10);
    List<RoleQueue> byArrival = List.of(two, one, one, two, one);
    for (int i = 0; i < byArrival.size(); i++) {
      byArrival.get(i).arrive(request("r" + i), 0, BUDGET);
    }

    for (int i = 0; i < byArrival.size(); i++) {
      free = 1;
      queues.slotFreed();
    }

    assertThat(admitted).containsExactly("r0", "r1", "r2", "r3", "r4");
  }

  @Test
  void waitersHoldAtMostHalfTheBodyBudgetAndGiveItBackWhenTheyGo() {
    RoleQueue queue = configure(10);
    Waiter leaver = request("leaver");
    assertThat(queue.arrive(leaver, 300_000, BUDGET)).isEqualTo(AdmissionPolicy.Outcome.ENQUEUE);
    assertThat(queue.arrive(request("a"), 200_000, BUDGET)).isEqualTo(AdmissionPolicy.Outcome.ENQUEUE);

    assertThat(configure("other", 10).arrive(request("b"), 1, BUDGET)).isEqualTo(AdmissionPolicy.Outcome.REJECT);

    queue.leave(leaver);
    free = 1;
    queues.slotFreed();
    assertThat(admitted).containsExactly("a");
    assertThat(queue.arrive(request("c"), BUDGET / 2, BUDGET)).isEqualTo(AdmissionPolicy.Outcome.ENQUEUE);
  }
}
