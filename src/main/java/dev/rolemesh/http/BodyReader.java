package dev.rolemesh.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.StreamResetException;

/**
 * Reads a request body whole into one heap buffer, within the largest body allowed and the process's
 * {@link BodyBudget}. A body with a Content-Length is reserved and sized before its first byte is read, so it is
 * refused without being read and collected without growing; a chunked one reserves as its chunks arrive. Broken
 * framing (a chunk size like {@code ZZZ}) ends the read as {@link Kind#MALFORMED}, never as an exception thrown
 * into the router.
 */
public final class BodyReader {

  /** Why no body came. */
  public enum Kind {
    /** Larger than the allowed body, or than the whole budget: retrying cannot help. */
    TOO_LARGE,
    /** The budget is taken by other requests' bodies right now: retrying later can help. */
    OVER_BUDGET,
    /** The HTTP framing of the body is broken. */
    MALFORMED,
    /** The client went away before the body was complete. */
    CLIENT_GONE
  }

  /**
   * @param limitBytes for {@link Kind#TOO_LARGE}, the limit that was exceeded
   * @param budgetLimit whether that limit is the budget's (else it is the largest allowed body)
   */
  public static final class Refused extends Exception {
    private final Kind kind;
    private final long limitBytes;
    private final boolean budgetLimit;

    Refused(Kind kind, String message, long limitBytes, boolean budgetLimit) {
      super(message, null, false, false);
      this.kind = kind;
      this.limitBytes = limitBytes;
      this.budgetLimit = budgetLimit;
    }

    public Kind kind() {
      return kind;
    }

    public long limitBytes() {
      return limitBytes;
    }

    public boolean budgetLimit() {
      return budgetLimit;
    }
  }

  private final HttpServerRequest request;
  private final long maxBytes;
  private final BodyBudget.Reservation reservation;
  private final Promise<Buffer> result = Promise.promise();
  private final boolean reserved;
  private Buffer body;

  private BodyReader(HttpServerRequest request, long maxBytes, BodyBudget.Reservation reservation, long declared) {
    this.request = request;
    this.maxBytes = maxBytes;
    this.reservation = reservation;
    this.reserved = declared >= 0;
    this.body = Buffer.buffer((int) Math.max(0, declared));
  }

  /**
   * The whole body; fails with {@link Refused}. The bytes are reserved on {@code reservation}, which the caller
   * releases when its request ends (also when this fails).
   *
   * @param maxBytes the largest body accepted at all
   */
  public static Future<Buffer> read(HttpServerRequest request, long maxBytes, BodyBudget.Reservation reservation) {
    long limit = Math.min(maxBytes, Integer.MAX_VALUE - 8);
    long declared = declaredLength(request);
    Refused refused = declared < 0 ? null : check(declared, declared, limit, reservation);
    if (refused != null) {
      // Not read, but drained: the client can finish sending and read the answer on a connection still usable.
      request.handler(chunk -> { });
      request.exceptionHandler(error -> { });
      request.resume();
      return Future.failedFuture(refused);
    }
    BodyReader reader = new BodyReader(request, limit, reservation, declared);
    if (request.isEnded()) {
      return Future.succeededFuture(reader.body);
    }
    request.handler(reader::chunk);
    request.endHandler(v -> reader.result.tryComplete(reader.body));
    request.exceptionHandler(reader::failed);
    request.resume();
    return reader.result.future();
  }

  private static long declaredLength(HttpServerRequest request) {
    String header = request.getHeader("Content-Length");
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      // The HTTP decoder refuses a bad Content-Length before a request exists; read it as chunks of unknown size.
      return -1;
    }
  }

  /** Null when {@code more} bytes, making {@code total}, fit: then they are reserved. */
  private static Refused check(long total, long more, long maxBytes, BodyBudget.Reservation reservation) {
    if (total > maxBytes) {
      return new Refused(Kind.TOO_LARGE, "body exceeds " + maxBytes + " bytes", maxBytes, false);
    }
    long budget = reservation.limitBytes();
    if (total > budget) {
      return new Refused(Kind.TOO_LARGE, "body exceeds the whole in-flight body budget of " + budget + " bytes",
          budget, true);
    }
    if (!reservation.grow(more)) {
      return new Refused(Kind.OVER_BUDGET, "the in-flight body budget of " + budget + " bytes is in use",
          budget, true);
    }
    return null;
  }

  private void chunk(Buffer chunk) {
    if (result.future().isComplete()) {
      // Refused already: the rest is drained, not kept.
      return;
    }
    // A declared length was reserved whole, and the decoder never delivers more than it.
    Refused refused = reserved ? null
        : check((long) body.length() + chunk.length(), chunk.length(), maxBytes, reservation);
    if (refused != null) {
      body = null;
      result.fail(refused);
      return;
    }
    body.appendBuffer(chunk);
  }

  private void failed(Throwable error) {
    body = null;
    if (error instanceof HttpClosedException || error instanceof StreamResetException) {
      result.tryFail(new Refused(Kind.CLIENT_GONE, "client disconnected while sending the body", 0, false));
    } else {
      result.tryFail(new Refused(Kind.MALFORMED, String.valueOf(error.getMessage()), 0, false));
    }
  }
}
