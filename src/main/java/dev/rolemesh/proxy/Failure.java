package dev.rolemesh.proxy;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import dev.rolemesh.config.Seconds;
import dev.rolemesh.config.Timeouts;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/**
 * Why an exchange with an upstream ended without a complete response.
 *
 * @param kind what went wrong, which decides the status a client gets
 * @param detail a short human phrase for messages and logs
 */
public record Failure(Kind kind, String detail) {

  public enum Kind {
    /** Nobody listens there (or the host is unknown): the backend is down. */
    REFUSED(502),
    CONNECT_TIMEOUT(504),
    /** No byte within read_s, before the headers or between chunks. */
    READ_TIMEOUT(504),
    TOTAL_TIMEOUT(504),
    /** The upstream closed or reset the connection before the response was complete. */
    UPSTREAM_CLOSED(502),
    UPSTREAM_ERROR(502),
    /**
     * The client stopped reading: nothing could be written to it for write_stall_s. Only happens once the response
     * has started, so the status is the upstream's; this one is for completeness.
     */
    WRITE_STALL(408),
    /** The client went away; nobody is left to answer. */
    CLIENT_GONE(499);

    private final int status;

    Kind(int status) {
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /**
   * A failure to get a connection. Vert.x reports running out of {@code connect_s} while waiting for a connection as
   * a plain timeout, which must count as a connect timeout (retried on another node), not as a read timeout.
   */
  public static Failure connecting(Throwable cause, Timeouts limits) {
    if (cause instanceof TimeoutException) {
      return new Failure(Kind.CONNECT_TIMEOUT, "no connection within connect_s=" + Seconds.format(limits.connect()));
    }
    return classify(cause, limits);
  }

  public static Failure classify(Throwable cause, Timeouts limits) {
    return switch (cause) {
      case ConnectTimeoutException e -> new Failure(Kind.CONNECT_TIMEOUT,
          "no connection within connect_s=" + Seconds.format(limits.connect()));
      case ConnectException e -> new Failure(Kind.REFUSED, "connection refused");
      case UnknownHostException e -> new Failure(Kind.REFUSED, "unknown host " + e.getMessage());
      case TimeoutException e -> new Failure(Kind.READ_TIMEOUT, "no data within read_s=" + Seconds.format(limits.read()));
      case HttpClosedException e -> new Failure(Kind.UPSTREAM_CLOSED, "upstream closed the connection");
      // Netty's native transport words a reset as "recvAddress(..) failed with error(-104): Connection reset...".
      case IOException e when String.valueOf(e.getMessage()).contains("reset") ->
          new Failure(Kind.UPSTREAM_CLOSED, "upstream reset the connection");
      default -> new Failure(Kind.UPSTREAM_ERROR, String.valueOf(cause.getMessage()));
    };
  }
}
