package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes responses with llama-server's header set, in its order and spelling (cpp-httplib's): {@code Server},
 * an empty {@code Access-Control-Allow-Origin}, the content type, the length or chunking, then {@code Keep-Alive} on
 * success or {@code Connection: close} on errors, after which the connection really is closed.
 */
final class LlamaHttp {

  static final String JSON = "application/json; charset=utf-8";
  private static final String KEEP_ALIVE = "timeout=5, max=100";

  private LlamaHttp() {}

  static void json(HttpServerRequest request, int status, JsonNode body) {
    send(request, status, JSON, Json.write(body));
  }

  static void send(HttpServerRequest request, int status, String contentType, String body) {
    Buffer bytes = Buffer.buffer(body);
    fixedLength(request.response(), status, contentType, bytes).putHeader("Keep-Alive", KEEP_ALIVE).end(bytes);
  }

  static void error(HttpServerRequest request, LlamaError error) {
    Buffer bytes = Buffer.buffer(Json.write(error.toJson()));
    fixedLength(request.response(), error.status(), JSON, bytes)
        .putHeader("Connection", "close")
        .end(bytes)
        .onComplete(ignored -> request.connection().close());
  }

  /** Announces the whole JSON body, sends the first half of it and closes the connection: a backend dying mid-answer. */
  static void truncated(HttpServerRequest request, JsonNode body) {
    Buffer bytes = Buffer.buffer(Json.write(body));
    fixedLength(request.response(), 200, JSON, bytes)
        .putHeader("Keep-Alive", KEEP_ALIVE)
        .write(bytes.slice(0, bytes.length() / 2))
        .onComplete(ignored -> request.connection().close());
  }

  /** Sets the headers of an SSE answer; they go out with the first chunk written. */
  static void startStream(HttpServerResponse response) {
    head(response, 200)
        .putHeader("X-Accel-Buffering", "no")
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Transfer-Encoding", "chunked")
        .putHeader("Keep-Alive", KEEP_ALIVE);
  }

  private static HttpServerResponse fixedLength(
      HttpServerResponse response, int status, String contentType, Buffer bytes) {
    return head(response, status)
        .putHeader("Content-Type", contentType)
        .putHeader("Content-Length", Integer.toString(bytes.length()));
  }

  private static HttpServerResponse head(HttpServerResponse response, int status) {
    return response.setStatusCode(status)
        .putHeader("Server", "llama.cpp")
        .putHeader("Access-Control-Allow-Origin", "");
  }
}
