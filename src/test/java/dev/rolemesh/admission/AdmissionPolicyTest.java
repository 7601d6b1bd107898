package dev.rolemesh.admission;

import static dev.rolemesh.admission.AdmissionPolicy.Outcome.ADMIT;
import static dev.rolemesh.admission.AdmissionPolicy.Outcome.ENQUEUE;
import static dev.rolemesh.admission.AdmissionPolicy.Outcome.REJECT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.QueueSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AdmissionPolicyTest {

  private static final QueueSettings TWO = new QueueSettings(2, Duration.ofSeconds(30));

  @Test
  void aBackendOfUnknownCapacityAlwaysHasRoom() {
    assertThat(AdmissionPolicy.hasRoom(1_000, 0)).isTrue();
    assertThat(AdmissionPolicy.hasRoom(3, 4)).isTrue();
    assertThat(AdmissionPolicy.hasRoom(4, 4)).isFalse();
    assertThat(AdmissionPolicy.hasRoom(5, 4)).isFalse();
  }

  @Test
  void aRequestGoesStraightThroughOnlyWhenThereIsRoomAndNobodyWaits() {
    assertThat(AdmissionPolicy.onArrival(true, 0, TWO, true)).isEqualTo(ADMIT);
    // a newcomer never passes a waiter, even when a slot is free this instant
    assertThat(AdmissionPolicy.onArrival(true, 1, TWO, true)).isEqualTo(ENQUEUE);
    assertThat(AdmissionPolicy.onArrival(false, 0, TWO, true)).isEqualTo(ENQUEUE);
    assertThat(AdmissionPolicy.onArrival(false, 1, TWO, true)).isEqualTo(ENQUEUE);
  }

  @Test
  void beyondMaxWaitingTheRequestIsRefused() {
    assertThat(AdmissionPolicy.onArrival(false, 2, TWO, true)).isEqualTo(REJECT);
    assertThat(AdmissionPolicy.onArrival(true, 2, TWO, true)).isEqualTo(REJECT);
    assertThat(AdmissionPolicy.onArrival(false, 0, new QueueSettings(0, Duration.ofSeconds(1)), true))
        .isEqualTo(REJECT);
  }

  @Test
  void waitingBodiesHoldAtMostHalfTheBodyBudget() {
    assertThat(AdmissionPolicy.bodyFits(400, 100, 1_000)).isTrue();
    assertThat(AdmissionPolicy.bodyFits(400, 101, 1_000)).isFalse();
    assertThat(AdmissionPolicy.onArrival(false, 0, TWO, false)).isEqualTo(REJECT);
    // a request that can go now needs no place among the waiting bodies
    assertThat(AdmissionPolicy.onArrival(true, 0, TWO, false)).isEqualTo(ADMIT);
  }

  @Test
  void theRefusalNamesTheModelTheLimitAndWhenToComeBack() {
    assertThat(AdmissionPolicy.message(AdmissionPolicy.Reason.QUEUE_FULL, "coder", TWO))
        .contains("'coder'", "2 requests already wait", "queue.max_waiting", "retry after 1 s");
    assertThat(AdmissionPolicy.message(AdmissionPolicy.Reason.QUEUE_FULL, "coder",
        new QueueSettings(1, Duration.ofSeconds(30)))).contains("1 request already waits");
    assertThat(AdmissionPolicy.message(AdmissionPolicy.Reason.QUEUE_TIMEOUT, "coder",
        new QueueSettings(2, Duration.ofMillis(1500)))).contains("within 1.5s", "queue.max_wait_s");
    assertThat(AdmissionPolicy.message(AdmissionPolicy.Reason.QUEUED_BODIES_FULL, "coder", TWO))
        .contains("'coder'", "gateway.max_inflight_body_mb", "retry after 1 s");
    assertThat(AdmissionPolicy.Reason.QUEUE_FULL.code()).isEqualTo("queue_full");
    assertThat(AdmissionPolicy.Reason.QUEUED_BODIES_FULL.code()).isEqualTo("queue_full");
    assertThat(AdmissionPolicy.Reason.QUEUE_TIMEOUT.code()).isEqualTo("queue_timeout");
  }
}
