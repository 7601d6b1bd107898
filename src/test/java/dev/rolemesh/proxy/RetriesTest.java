package dev.rolemesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a request may go on to another backend: only when the one it left cannot have started on it. */
class RetriesTest {

  private static UpstreamProxy.Outcome failed(Failure.Kind kind, boolean responded, boolean written) {
    return new UpstreamProxy.Outcome(kind.status(), responded, 0, -1, new Failure(kind, "x"), written, -1, -1);
  }

  @Test
  void aBackendThatNeverHadTheConnectionIsLeftWhateverWasWritten() {
    assertThat(Retries.mayMoveOn(failed(Failure.Kind.REFUSED, false, false))).isTrue();
    assertThat(Retries.mayMoveOn(failed(Failure.Kind.CONNECT_TIMEOUT, false, true))).isTrue();
  }

  @Test
  void aBackendThatBrokeBeforeTheWholeRequestWasWrittenIsLeft() {
    assertThat(Retries.mayMoveOn(failed(Failure.Kind.UPSTREAM_CLOSED, false, false))).isTrue();
    assertThat(Retries.mayMoveOn(failed(Failure.Kind.UPSTREAM_ERROR, false, false))).isTrue();
  }

  @Test
  void aBackendThatTookTheWholeRequestAnswersForIt() {
    assertThat(Retries.mayMoveOn(failed(Failure.Kind.UPSTREAM_CLOSED, false, true))).isFalse();
    assertThat(Retries.mayMoveOn(failed(Failure.Kind.UPSTREAM_ERROR, false, true))).isFalse();
  }

  @Test
  void timeoutsAClientThatLeftAndAnyAnswerAlreadyStartedStayWhereTheyAre() {
    assertThat(Retries.mayMoveOn(failed(Failure.Kind.READ_TIMEOUT, false, false))).isFalse();
    assertThat(Retries.mayMoveOn(failed(Failure.Kind.TOTAL_TIMEOUT, false, false))).isFalse();
    assertThat(Retries.mayMoveOn(failed(Failure.Kind.CLIENT_GONE, false, false))).isFalse();
    assertThat(Retries.mayMoveOn(failed(Failure.Kind.REFUSED, true, false))).isFalse();
    assertThat(Retries.mayMoveOn(new UpstreamProxy.Outcome(200, true, 10, 1, null, true, -1, -1))).isFalse();
  }

  @Test
  void onlyBackendsThatFailedRatherThanRanOutOfTimeCoolDown() {
    assertThat(Retries.backendBroke(new Failure(Failure.Kind.REFUSED, "x"))).isTrue();
    assertThat(Retries.backendBroke(new Failure(Failure.Kind.UPSTREAM_CLOSED, "x"))).isTrue();
    assertThat(Retries.backendBroke(new Failure(Failure.Kind.READ_TIMEOUT, "x"))).isFalse();
    assertThat(Retries.backendBroke(new Failure(Failure.Kind.WRITE_STALL, "x"))).isFalse();
  }
}
