package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal HTTP/1.1 client on a plain socket: it shows header names in wire order and case, hands out a chunked body
 * chunk by chunk, and lets a test hang up at any moment by closing the socket.
 */
final class RawHttp implements AutoCloseable {

  record Response(int status, List<String[]> headers, String body) {

    List<String> headerNames() {
      return headers.stream().map(header -> header[0]).toList();
    }

    String header(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
    }

    JsonNode json() {
      return Fixtures.parse(body);
    }
  }

  private final Socket socket;
  private final InputStream in;

  RawHttp(int port) {
    this(port, 0);
  }

  /** @param receiveBufferBytes SO_RCVBUF to ask for, 0 for the system's; a small one stops kernel autotuning */
  RawHttp(int port, int receiveBufferBytes) {
    try {
      socket = new Socket();
      if (receiveBufferBytes > 0) {
        socket.setReceiveBufferSize(receiveBufferBytes);
      }
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      in = new BufferedInputStream(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One request on a fresh connection, answered in full. */
  static Response call(int port, String method, String path, String body, String... headerPairs) {
    try (RawHttp http = new RawHttp(port)) {
      http.send(method, path, body, headerPairs);
      return http.readResponse();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends a request; {@code headerPairs} alternate name and value; a non-null body is sent as JSON. */
  void send(String method, String path, String body, String... headerPairs) throws IOException {
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (int i = 0; i < headerPairs.length; i += 2) {
      head.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      head.append("Content-Type: application/json\r\nContent-Length: ").append(bytes.length).append("\r\n");
    }
    head.append("\r\n");
    socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /** Status line and headers; the body is left to {@link #readChunk()} or {@link #readBody}. */
  Response readHead() throws IOException {
    String statusLine = readLine();
    List<String[]> headers = new ArrayList<>();
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).strip()});
    }
    return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers, null);
  }

  Response readResponse() throws IOException {
    Response head = readHead();
    return new Response(head.status(), head.headers(), readBody(head));
  }

  /** The whole body: all chunks, or Content-Length bytes; EOFException when the connection ends first. */
  String readBody(Response head) throws IOException {
    if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
      StringBuilder body = new StringBuilder();
      for (String chunk = readChunk(); chunk != null; chunk = readChunk()) {
        body.append(chunk);
      }
      return body.toString();
    }
    int length = Integer.parseInt(head.header("Content-Length"));
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new EOFException("connection closed after " + body.length + " of " + length + " bytes");
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The next chunk of a chunked body, null for the terminating chunk; EOFException when the connection ends. */
  String readChunk() throws IOException {
    int size = Integer.parseInt(readLine().strip(), 16);
    byte[] data = in.readNBytes(size);
    if (data.length < size) {
      throw new EOFException("connection closed inside a chunk");
    }
    readLine();
    return size == 0 ? null : new String(data, StandardCharsets.UTF_8);
  }

  void setReadTimeoutMs(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  int read() throws IOException {
    return in.read();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("connection closed");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
