package dev.rolemesh.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A bare HTTP/1.1 client on a socket, for tests that must see or control the wire: header names in wire order and
 * case, a chunked body chunk by chunk, and hanging up at any moment, since closing it is a real TCP close with no pool
 * or library in between.
 */
public final class RawHttp implements AutoCloseable {

  /** A response as it came over the wire; {@code body} is null when only the head was read. */
  public record Response(int status, List<String[]> headers, String body) {

    public List<String> headerNames() {
      return headers.stream().map(header -> header[0]).toList();
    }

    public String header(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
    }

    public JsonNode json() {
      return Json.parse(body);
    }
  }

  private final Socket socket;
  private final int port;
  private final InputStream in;

  public RawHttp(int port) {
    this(port, 0);
  }

  /** @param receiveBufferBytes SO_RCVBUF to ask for, 0 for the system's; a small one stops kernel autotuning */
  public RawHttp(int port, int receiveBufferBytes) {
    this.port = port;
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
  public static Response call(int port, String method, String path, String body, String... headerPairs) {
    try (RawHttp http = new RawHttp(port)) {
      http.send(method, path, body, headerPairs);
      return http.readResponse();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON POST on a fresh connection, left open for the test to read from or hang up on. */
  public static RawHttp post(int port, String path, String json, String... headerPairs) throws IOException {
    RawHttp http = new RawHttp(port);
    http.send("POST", path, json, headerPairs);
    return http;
  }

  /** Sends a request; {@code headerPairs} alternate name and value; a non-null body is sent as JSON. */
  public void send(String method, String path, String body, String... headerPairs) throws IOException {
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
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

  /** Bytes exactly as given (ISO-8859-1), for requests {@link #send} cannot express: HTTP/1.0, odd framing. */
  public void sendRaw(String raw) throws IOException {
    socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** Everything until the peer closes the connection. */
  public String readToEnd() throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  /** Status line and headers; the body is left to {@link #readChunk()} or {@link #readBody}. */
  public Response readHead() throws IOException {
    String statusLine = requireLine();
    List<String[]> headers = new ArrayList<>();
    for (String line = requireLine(); !line.isEmpty(); line = requireLine()) {
      int colon = line.indexOf(':');
      headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).strip()});
    }
    return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers, null);
  }

  public Response readResponse() throws IOException {
    Response head = readHead();
    return new Response(head.status(), head.headers(), readBody(head));
  }

  /** The whole body: all chunks, or Content-Length bytes; EOFException when the connection ends first. */
  public String readBody(Response head) throws IOException {
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
  public String readChunk() throws IOException {
    int size = Integer.parseInt(requireLine().strip(), 16);
    byte[] data = in.readNBytes(size);
    if (data.length < size) {
      throw new EOFException("connection closed inside a chunk");
    }
    requireLine();
    return size == 0 ? null : new String(data, StandardCharsets.UTF_8);
  }

  /**
   * The next line of the raw response (status line, headers, chunk sizes and data alike), or null at the end; for
   * tests that only look for a line, whatever framing it came in.
   */
  public String readLine() throws IOException {
    return line(StandardCharsets.UTF_8, true);
  }

  /** Reads until a line starting with {@code prefix} arrives; returns it, or null if the stream ended first. */
  public String readUntil(String prefix) throws IOException {
    for (String line = readLine(); line != null; line = readLine()) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    return null;
  }

  public void setReadTimeoutMs(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  public int read() throws IOException {
    return in.read();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** A line of the head or of the chunk framing, which the protocol says must end in CRLF. */
  private String requireLine() throws IOException {
    String line = line(StandardCharsets.ISO_8859_1, false);
    if (line == null) {
      throw new EOFException("connection closed");
    }
    return line;
  }

  /**
   * The bytes up to the next LF, without CR; null at the end of the stream, and also when it ends inside a line
   * unless {@code partialAtEnd} asks for that part.
   */
  private String line(Charset charset, boolean partialAtEnd) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        return partialAtEnd && line.size() > 0 ? line.toString(charset) : null;
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(charset);
  }
}
