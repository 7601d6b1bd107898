package dev.rolemesh.http;

import dev.rolemesh.config.ClientTimeouts;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Enforces {@link ClientTimeouts} on one HTTP server, which lives on one event loop (so nothing here is shared
 * between threads). A connection is judged only while the server waits on the client: for the head of its first
 * request ({@code header_s}), for its next request when kept alive ({@code idle_s}), or for a request body arriving
 * too slowly ({@code body_min_bytes_s}, 408). A request whose body is complete is never cut here, however long its
 * backend takes: that is the upstream timeouts' business.
 *
 * <p>Cost: no timer per request or connection. The request path adds one map lookup and one list append; one
 * periodic sweep per event loop walks the open connections a few times per {@code header_s}, reading fields and
 * the flags Vert.x already keeps ({@code ended}, {@code bytesRead}).
 *
 * <p>Each cut is counted by the limit that made it ({@code header_s}, {@code idle_s}, {@code body_min_bytes_s}), not
 * logged: a connection cut before its first head is complete has no request to log, and a line per cut would let a
 * slowloris flood the log. A body cut with its 408 is a request, and gets its access line like any other.
 */
public final class ConnectionGuard {

  private static final long MIN_SWEEP_MS = 10;
  private static final long MAX_SWEEP_MS = 1000;

  private final Vertx vertx;
  private final ClientTimeouts limits;
  private final Consumer<String> cuts;
  private final Map<HttpConnection, Watch> watches = new HashMap<>();
  private final long sweepTimer;

  private ConnectionGuard(Vertx vertx, ClientTimeouts limits, Consumer<String> cuts) {
    this.vertx = vertx;
    this.limits = limits;
    this.cuts = cuts;
    long sweepMs = Math.min(limits.header().toMillis(), limits.idle().toMillis()) / 4;
    this.sweepTimer = vertx.setPeriodic(Math.clamp(sweepMs, MIN_SWEEP_MS, MAX_SWEEP_MS), id -> sweep());
  }

  /**
   * Watches every connection of {@code server} from now on; call before it listens, on its event loop.
   *
   * @param cuts told the limit's name ({@code header_s}, {@code idle_s}, {@code body_min_bytes_s}) at each cut
   */
  public static ConnectionGuard watch(Vertx vertx, HttpServer server, ClientTimeouts limits, Consumer<String> cuts) {
    ConnectionGuard guard = new ConnectionGuard(vertx, limits, cuts);
    server.connectionHandler(connection -> {
      guard.watches.put(connection, new Watch(connection, System.nanoTime()));
      connection.closeHandler(v -> guard.watches.remove(connection));
    });
    return guard;
  }

  /** The request handler to give the server: {@code next}, with each request noted first. */
  public Handler<HttpServerRequest> around(Handler<HttpServerRequest> next) {
    return request -> {
      Watch watch = watches.get(request.connection());
      if (watch != null) {
        watch.admit(new InFlight(request, System.nanoTime()));
      }
      next.handle(request);
    };
  }

  /** Stops the sweep, for a server that closes while the process lives on. */
  public void close() {
    vertx.cancelTimer(sweepTimer);
  }

  private void sweep() {
    long now = System.nanoTime();
    // Closing runs the close handler, which removes from the map: collect first.
    List<Runnable> due = new ArrayList<>();
    for (Watch watch : watches.values()) {
      Runnable cut = watch.check(now, limits, cuts);
      if (cut != null) {
        due.add(cut);
      }
    }
    due.forEach(Runnable::run);
  }

  private record InFlight(HttpServerRequest request, long headAt) {}

  private static final class Watch {
    private final HttpConnection connection;
    private final List<InFlight> inFlight = new ArrayList<>(1);
    /** When the current wait for the client began: the connection opened, or its last response ended. */
    private long waitingSince;
    private boolean servedOne;

    Watch(HttpConnection connection, long openedAt) {
      this.connection = connection;
      this.waitingSince = openedAt;
    }

    /**
     * A keep-alive client sends its next request after the last answer: the answered ones are forgotten here, not
     * at the next sweep, or a busy connection would hold every request it served in the last second (enough
     * promoted garbage at 17k req/s to make old-generation collections the gateway's p99).
     */
    void admit(InFlight request) {
      if (inFlight.removeIf(Watch::answered)) {
        servedOne = true;
      }
      inFlight.add(request);
    }

    private static boolean answered(InFlight request) {
      return request.request().response().ended() || request.request().response().closed();
    }

    /** What to do about this connection now, or null to leave it; {@code cuts} is told when it does cut. */
    Runnable check(long now, ClientTimeouts limits, Consumer<String> cuts) {
      if (!inFlight.isEmpty()) {
        inFlight.removeIf(Watch::answered);
        if (inFlight.isEmpty()) {
          servedOne = true;
          waitingSince = now;
        }
      }
      if (inFlight.isEmpty()) {
        long limit = (servedOne ? limits.idle() : limits.header()).toNanos();
        if (now - waitingSince < limit) {
          return null;
        }
        String reason = servedOne ? "idle_s" : "header_s";
        return () -> {
          cuts.accept(reason);
          connection.close();
        };
      }
      for (InFlight request : inFlight) {
        if (slowBody(request, now, limits)) {
          return () -> {
            cuts.accept("body_min_bytes_s");
            tooSlow(request.request());
          };
        }
      }
      return null;
    }

    private static boolean slowBody(InFlight request, long now, ClientTimeouts limits) {
      long elapsed = now - request.headAt();
      if (request.request().isEnded() || elapsed < limits.bodyGrace().toNanos()) {
        return false;
      }
      return request.request().bytesRead() * 1_000_000_000L < limits.bodyMinBytesPerSecond() * elapsed;
    }

    private void tooSlow(HttpServerRequest request) {
      new ApiError(408, "Request body arrived slower than client_timeouts.body_min_bytes_s on average",
          "invalid_request_error", null, "request_timeout").send(request.response());
      connection.close();
    }
  }
}
