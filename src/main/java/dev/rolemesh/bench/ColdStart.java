package dev.rolemesh.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Process start to first served request: starts the gateway's command, then sends a small non-streaming chat
 * completion every millisecond until one is answered 200 (through the gateway, from the backend). Then it lets the
 * process idle and reads its RSS, and stops it with SIGTERM.
 *
 * <p>The probe is a plain blocking socket with a hand-written HTTP/1.1 request, warmed up on the backend before the
 * process starts, so none of this JVM's own start-up lands in the figure.
 */
final class ColdStart {

  private final String host;
  private final int port;
  private final String path;
  private final byte[] request;

  ColdStart(String host, int port, String path, String model) {
    this.host = host;
    this.port = port;
    this.path = path;
    String body = Json.object()
        .put("model", model)
        .<ObjectNode>set("messages", Json.array().add(Json.object().put("role", "user").put("content", "Hi")))
        .put("max_tokens", 4)
        .toString();
    this.request = ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
        + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
  }

  /** Sends the request to {@code warmHost:warmPort} a few times so the probe's code is compiled and loaded. */
  void warmUp(String warmHost, int warmPort) throws IOException {
    for (int i = 0; i < 50; i++) {
      int status = exchange(warmHost, warmPort);
      if (status != 200) {
        throw new IOException("warm-up request to " + warmHost + ":" + warmPort + path + " answered " + status);
      }
    }
  }

  ObjectNode run(List<String> command, Map<String, String> env, Path log, long settleMs, long timeoutMs)
      throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    long t0 = System.nanoTime();
    Process process = builder.start();
    long servedNanos = -1;
    int attempts = 0;
    try {
      while (System.nanoTime() - t0 < timeoutMs * 1_000_000) {
        attempts++;
        int status;
        try {
          status = exchange(host, port);
        } catch (ConnectException refused) {
          status = -1;
        } catch (IOException other) {
          status = -2;
        }
        if (status == 200) {
          servedNanos = System.nanoTime() - t0;
          break;
        }
        if (!process.isAlive()) {
          break;
        }
        Thread.sleep(1);
      }
      ObjectNode result = Json.object().put("attempts", attempts).put("pid", process.pid());
      if (servedNanos < 0) {
        result.put("served", false).put("exit", process.isAlive() ? null : process.exitValue());
        return result;
      }
      result.put("served", true).put("first_request_ms", Math.round(servedNanos / 10_000.0) / 100.0);
      Thread.sleep(settleMs);
      result.put("idle_rss_mib", ProcStatus.mib(ProcStatus.kib(process.pid(), "VmRSS")));
      return result;
    } finally {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  /** One request on a fresh connection; the HTTP status, or an exception when nothing listens yet. */
  private int exchange(String toHost, int toPort) throws IOException {
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(5_000);
      socket.connect(new InetSocketAddress(toHost, toPort), 1_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] head = new byte[12];
      int read = 0;
      while (read < head.length) {
        int n = in.read(head, read, head.length - read);
        if (n < 0) {
          return -3;
        }
        read += n;
      }
      String statusLine = new String(head, StandardCharsets.US_ASCII);
      int status = Integer.parseInt(statusLine.substring(9, 12));
      in.transferTo(OutputStream.nullOutputStream());
      return status;
    }
  }
}
