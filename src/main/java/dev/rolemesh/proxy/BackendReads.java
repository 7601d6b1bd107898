package dev.rolemesh.proxy;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpClientConnection;

/**
 * Stops and restarts reading from a backend connection's socket: the backpressure towards a client that reads slower
 * than its backend writes.
 *
 * <p>Not {@code HttpClientResponse.pause()}: Vert.x 5 then parks what it has already read in a queue of its own, and
 * when the backend closes the connection right after its last byte (HTTP/1.0, {@code Connection: close}, a
 * keep-alive limit reached) it reports the close before handing that queue over, so the response's tail and its end
 * are lost and the gateway has to cut the client's stream (the queue of eclipse-vertx/vert.x#5748). With native epoll
 * this is the common case, not a race: on the backend's FIN, Netty reads the socket to its end even while reading is
 * switched off. Switching off the socket's reads instead leaves the holding back to TCP, and what Netty still reads
 * (at most one receive buffer) reaches the relay at once, end included, and waits in the client's write queue.
 */
final class BackendReads {

  private final Channel channel;

  private BackendReads(Channel channel) {
    this.channel = channel;
  }

  /** The reads of the connection an upstream request went out on (an HTTP/1.x client connection). */
  static BackendReads of(HttpConnection connection) {
    return new BackendReads(((HttpClientConnection) connection).channelHandlerContext().channel());
  }

  void stop() {
    channel.config().setAutoRead(false);
  }

  /** Also before the connection goes back to the pool: the next exchange on it must find it reading. */
  void restart() {
    channel.config().setAutoRead(true);
  }
}
