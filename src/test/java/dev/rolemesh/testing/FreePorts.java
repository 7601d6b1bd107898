package dev.rolemesh.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports a test needs closed: an upstream that refuses connections, or a server the test starts there later. */
public final class FreePorts {

  private FreePorts() {}

  /** A loopback port nothing listens on now; it stays free unless another program happens to take it. */
  public static int loopback() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
