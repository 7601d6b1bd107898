package dev.rolemesh.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare HTTP/1.1 client on a socket, for tests that must control exactly when the client leaves: closing it is a
 * real TCP close, with no pool or library in between.
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;
  private final BufferedReader in;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
  }

  public static RawHttp post(int port, String path, String json, String... extraHeaderLines) throws IOException {
    RawHttp http = new RawHttp(new Socket("127.0.0.1", port));
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    StringBuilder request = new StringBuilder()
        .append("POST ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\n")
        .append("Content-Type: application/json\r\n")
        .append("Content-Length: ").append(body.length).append("\r\n");
    for (String line : extraHeaderLines) {
      request.append(line).append("\r\n");
    }
    request.append("\r\n");
    OutputStream out = http.socket.getOutputStream();
    out.write(request.toString().getBytes(StandardCharsets.UTF_8));
    out.write(body);
    out.flush();
    return http;
  }

  /** The next line of the raw response (status line, headers, chunk sizes and data alike), or null at the end. */
  public String readLine() throws IOException {
    return in.readLine();
  }

  /** Reads until a line starting with {@code prefix} arrives; returns it, or null if the stream ended first. */
  public String readUntil(String prefix) throws IOException {
    String line;
    while ((line = in.readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
