package dev.rolemesh.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A port whose connections never complete, like a host that is powered off or behind a dropping firewall: a
 * listener with a backlog of one that never accepts, its queue filled up front, so further SYNs are dropped.
 */
public final class Blackhole implements AutoCloseable {

  private final ServerSocket listener;
  private final List<Socket> fillers = new ArrayList<>();

  private Blackhole(ServerSocket listener) {
    this.listener = listener;
  }

  public static Blackhole open() throws IOException {
    Blackhole blackhole = new Blackhole(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
    // The kernel queues up to backlog + 1 completed handshakes; these take every place.
    for (int i = 0; i < 3; i++) {
      Socket filler = new Socket();
      try {
        filler.connect(blackhole.listener.getLocalSocketAddress(), 200);
        blackhole.fillers.add(filler);
      } catch (IOException queueFull) {
        filler.close();
        break;
      }
    }
    return blackhole;
  }

  public String url() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    for (Socket filler : fillers) {
      filler.close();
    }
    listener.close();
  }
}
