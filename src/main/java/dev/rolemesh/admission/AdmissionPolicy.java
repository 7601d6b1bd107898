package dev.rolemesh.admission;

import dev.rolemesh.config.QueueSettings;
import dev.rolemesh.config.Seconds;
import dev.rolemesh.http.ApiError;
import java.util.Locale;

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
    QUEUE_FULL,
    /** The request waited {@code max_wait_s} and no slot freed for it. */
    QUEUE_TIMEOUT;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

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
   */
  public static Outcome onArrival(boolean roomNow, int waiting, QueueSettings limits) {
    if (roomNow && waiting == 0) {
      return Outcome.ADMIT;
    }
    return waiting < limits.maxWaiting() ? Outcome.ENQUEUE : Outcome.REJECT;
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
          + limits.maxWaiting() + " requests already wait (queue.max_waiting); retry after " + RETRY_AFTER_SECONDS
          + " s";
      case QUEUE_TIMEOUT -> "Model '" + alias + "' is at capacity: no backend slot freed within "
          + Seconds.format(limits.maxWait()) + " (queue.max_wait_s); retry after " + RETRY_AFTER_SECONDS + " s";
    };
  }
}
