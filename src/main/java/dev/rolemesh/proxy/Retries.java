package dev.rolemesh.proxy;

/**
 * What an exchange that failed means for its request. Going on to another backend (the role's next node, or a
 * fallback role) is only safe when this one cannot have started on the request: it never had a connection, or it
 * closed before the whole request was written. A backend that took the whole request and then died may have died
 * of that request (a prompt that crashes llama-server), and must not take the next one down with it; one that is
 * slow may be generating.
 */
public final class Retries {

  private Retries() {}

  /** The backend failed rather than ran out of time: a node cools down. A timeout may mean it is generating. */
  public static boolean backendBroke(Failure failure) {
    return switch (failure.kind()) {
      case REFUSED, CONNECT_TIMEOUT, UPSTREAM_CLOSED, UPSTREAM_ERROR -> true;
      case READ_TIMEOUT, TOTAL_TIMEOUT, WRITE_STALL, CLIENT_GONE -> false;
    };
  }

  /** Whether the request may go on to another backend: this one failed before answering and never started on it. */
  public static boolean mayMoveOn(UpstreamProxy.Outcome outcome) {
    Failure failure = outcome.failure();
    return failure != null && !outcome.responded() && backendBroke(failure)
        && (!outcome.requestWritten() || neverConnected(failure));
  }

  private static boolean neverConnected(Failure failure) {
    return failure.kind() == Failure.Kind.REFUSED || failure.kind() == Failure.Kind.CONNECT_TIMEOUT;
  }
}
