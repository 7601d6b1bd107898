package dev.rolemesh.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;

/** The HTTP client every proxying component uses towards backends, configured once for all of them. */
public final class UpstreamClients {

  /**
   * Connections per backend and event loop: enough for many concurrent streams, bounded because a burst leaves that
   * many idle connections behind until they expire.
   */
  public static final int POOL_SIZE = 1024;

  /** Below llama-server's own keep-alive of 5 s, so no connection is reused just as the backend closes it. */
  private static final int KEEP_ALIVE_SECONDS = 4;

  private UpstreamClients() {}

  /**
   * @param connectTimeout the longest TCP connect attempt (the longest {@code connect_s} any backend has): the
   *     request gives up at its own {@code connect_s}, this stops the abandoned attempt from lingering
   */
  public static HttpClient create(Vertx vertx, String name, Duration connectTimeout) {
    return vertx.createHttpClient(
        new HttpClientOptions()
            .setName(name)
            .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
            .setTcpNoDelay(true)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())),
        new PoolOptions().setHttp1MaxSize(POOL_SIZE));
  }
}
