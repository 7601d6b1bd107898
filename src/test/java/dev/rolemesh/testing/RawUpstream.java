package dev.rolemesh.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend on a bare socket that does exactly what its script says, for upstreams no HTTP server library would
 * play: one that closes after reading the request, answers status 999, or hangs up halfway through its head. Each
 * connection carries one exchange: the head is read, the script runs, the socket is closed.
 */
public final class RawUpstream implements AutoCloseable {

  /** What the backend does once it has read a request head. */
  @FunctionalInterface
  public interface Script {
    void run(Exchange exchange) throws IOException;
  }

  /** One request as the backend sees it: the head already read, the body left on the wire until asked for. */
  public static final class Exchange {
    private final String requestLine;
    private final List<String[]> headers;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private Exchange(String requestLine, List<String[]> headers, Socket socket, InputStream in) throws IOException {
      this.requestLine = requestLine;
      this.headers = headers;
      this.socket = socket;
      this.in = in;
      this.out = socket.getOutputStream();
    }

    public String requestLine() {
      return requestLine;
    }

    public String header(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
    }

    /** Reads the Content-Length body (the gateway always forwards one of known length). */
    public byte[] readBody() throws IOException {
      String length = header("Content-Length");
      return length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
    }

    /** SO_SNDBUF for the rest of the exchange: how much the backend can write that the gateway has not read. */
    public void sendBuffer(int bytes) throws IOException {
      socket.setSendBufferSize(bytes);
    }

    /** Sends a FIN after what was written, as a backend that closes its connection after a response does. */
    public void endOutput() throws IOException {
      socket.shutdownOutput();
    }

    /** Waits until the gateway closes the connection too (it may first have to relay what it has not read yet). */
    public void awaitGatewayClose() throws IOException {
      while (in.read() >= 0) {
        // Nothing more is expected from the gateway.
      }
    }

    /** Writes raw bytes (a head, a body, anything) as ISO-8859-1. */
    public void write(String raw) throws IOException {
      out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }
  }

  private final ServerSocket listener;
  private final Script script;
  private final List<String> requestLines = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  private RawUpstream(ServerSocket listener, Script script) {
    this.listener = listener;
    this.script = script;
  }

  public static RawUpstream start(Script script) {
    return start(0, script);
  }

  /**
   * @param receiveBufferBytes SO_RCVBUF for accepted connections, 0 for the system's; a small one keeps a large
   *     request body from fitting into kernel buffers, so a script that hangs up early really cuts the upload
   */
  public static RawUpstream start(int receiveBufferBytes, Script script) {
    try {
      ServerSocket listener = new ServerSocket();
      if (receiveBufferBytes > 0) {
        listener.setReceiveBufferSize(receiveBufferBytes);
      }
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
      RawUpstream upstream = new RawUpstream(listener, script);
      Thread.ofVirtual().name("raw-upstream-accept").start(upstream::accept);
      return upstream;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /** The request lines received so far ({@code POST /v1/chat/completions HTTP/1.1}), in arrival order. */
  public List<String> requestLines() {
    return List.copyOf(requestLines);
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket socket = listener.accept();
        open.add(socket);
        Thread.ofVirtual().name("raw-upstream").start(() -> serve(socket));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      String requestLine = line(in);
      if (requestLine == null) {
        return;
      }
      List<String[]> headers = new ArrayList<>();
      for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
        int colon = line.indexOf(':');
        headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).strip()});
      }
      requestLines.add(requestLine);
      script.run(new Exchange(requestLine, headers, socket, in));
    } catch (IOException peerGone) {
      // The gateway hung up: the exchange is over either way.
    } finally {
      open.remove(socket);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        return null;
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket socket : open) {
      socket.close();
    }
  }
}
