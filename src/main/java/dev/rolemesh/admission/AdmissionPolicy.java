package dev.rolemesh.admission;

import dev.rolemesh.config.QueueSettings;
import dev.rolemesh.config.Seconds;
import dev.rolemesh.http.ApiError;

/**
 * The admission decision as pure code: whether a backend has room for one more request, and what becomes of a request
 * when it arrives (admitted to a backend with room, enqueued in its role's FIFO, or refused with a reason). The queue
 * ({@link RoleQueue}) and the event-loop wiring carry the decisions out; nothing here reads a clock or a socket.
 */
public final class AdmissionPolicy {

  /** What becomes of an arriving request. */
  public enum Outcome {
    /** A backend has room and nobody waits ahead: forward it now. */
    ADMIT,
    /** Every backend is full (or others wait ahead) and the queue has room: wait for a slot. */
    ENQUEUE,
    /** Every backend is full and the queue is too: 503 {@code queue_full} now. */
    REJECT
  }

  /** Why a request got 503 from the queue; {@link #code()} is the error's {@code code}. */
  public enum Reason {
    /** {@code max_waiting} requests already wait. */
    QUEUE_FULL("queue_full"),
    /** The bodies of the requests waiting in every queue, with this one's, would pass {@link #QUEUED_BODY_SHARE}. */
    QUEUED_BODIES_FULL("queue_full"),
    /** The request waited {@code max_wait_s} and no slot freed for it. */
    QUEUE_TIMEOUT("queue_timeout");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /**
   * Requests waiting in the queues hold at most 1/this of {@code gateway.max_inflight_body_mb} with their bodies: a
   * queue of large bodies must not take the whole budget from requests of other roles that could run now.
   */
  public static final int QUEUED_BODY_SHARE = 2;

  /**
   * Clients are told to come back after this many seconds ({@code Retry-After}): a queue turns over within a request's
   * time, so a prompt retry has a fair chance, and the OpenAI SDKs back off further on each retry anyway.
   */
  public static final int RETRY_AFTER_SECONDS = 1;

  private AdmissionPolicy() {}

  /**
   * Whether a backend with {@code inFlight} requests takes one more.
   *
   * @param capacity its slots ({@code meta.parallel}, its {@code /slots}, or {@code max_concurrent}); 0 or less when
   *     unknown, and a backend of unknown capacity always has room: it is forwarded to as if there were no queue
   */
  public static boolean hasRoom(int inFlight, int capacity) {
    return capacity <= 0 || inFlight < capacity;
  }

  /**
   * The decision for a request as it arrives. A newcomer never passes a request already waiting, so it is admitted
   * only when a backend has room and the queue is empty.
   *
   * @param roomNow a candidate backend of the role has room now
   * @param waiting requests of the role already waiting
   * @param bodyFits its body fits among the queued ones' (see {@link #bodyFits})
   */
  public static Outcome onArrival(boolean roomNow, int waiting, QueueSettings limits, boolean bodyFits) {
    if (roomNow && waiting == 0) {
      return Outcome.ADMIT;
    }
    return waiting < limits.maxWaiting() && bodyFits ? Outcome.ENQUEUE : Outcome.REJECT;
  }

  /**
   * Whether a request whose body holds {@code bodyBytes} may wait (see {@link #QUEUED_BODY_SHARE}).
   *
   * @param queuedBodyBytes the bodies of every request waiting in any queue now
   * @param budgetBytes {@code gateway.max_inflight_body_mb}
   */
  public static boolean bodyFits(long queuedBodyBytes, long bodyBytes, long budgetBytes) {
    return queuedBodyBytes + bodyBytes <= budgetBytes / QUEUED_BODY_SHARE;
  }

  /** The 503 a request gets from the queue of {@code alias}; it goes with {@code Retry-After}. */
  public static ApiError refusal(Reason reason, String alias, QueueSettings limits) {
    return new ApiError(503, message(reason, alias, limits), "server_error", null, reason.code());
  }

  /** Whether an error's {@code code} is one of the queue's refusals (which go with {@code Retry-After}). */
  public static boolean refusedByQueue(String code) {
    return Reason.QUEUE_FULL.code().equals(code) || Reason.QUEUE_TIMEOUT.code().equals(code);
  }

  /** The message of the 503 a request gets from the queue of {@code alias}. */
  public static String message(Reason reason, String alias, QueueSettings limits) {
    return switch (reason) {
      case QUEUE_FULL -> "Model '" + alias + "' is at capacity: every backend slot is busy and "
          + limits.maxWaiting() + (limits.maxWaiting() == 1 ? " request already waits" : " requests already wait")
          + " (queue.max_waiting); retry after " + RETRY_AFTER_SECONDS + " s";
      case QUEUED_BODIES_FULL -> "Model '" + alias + "' is at capacity: every backend slot is busy and the requests"
          + " already waiting hold half of gateway.max_inflight_body_mb with their bodies; retry after "
          + RETRY_AFTER_SECONDS + " s";
      case QUEUE_TIMEOUT -> "Model '" + alias + "' is at capacity: no backend slot freed within "
          + Seconds.format(limits.maxWait()) + " (queue.max_wait_s); retry after " + RETRY_AFTER_SECONDS + " s";
    };
  }
}
