package dev.rolemesh.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.http.RequestPeek;
import dev.rolemesh.json.Json;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;

/**
 * Produces the body sent upstream: the client's bytes untouched when nothing changes, otherwise the same object
 * with the upstream model name set and the role's defaults filled in where the client left keys out.
 */
public final class BodyRewriter {

  private static final ObjectMapper JSON = Json.MAPPER;

  private BodyRewriter() {}

  /**
   * @param defaults the role's {@code defaults}, without {@code model} (that one arrives as {@code upstreamModel})
   */
  public static Buffer rewrite(Buffer body, RequestPeek peek, String upstreamModel, Map<String, Object> defaults) {
    boolean modelChanges = !Objects.equals(peek.model(), upstreamModel);
    boolean defaultsMissing = defaults.keySet().stream().anyMatch(key -> !peek.has(key));
    if (!modelChanges && !defaultsMissing) {
      return body;
    }
    try {
      ObjectNode tree = (ObjectNode) JSON.readTree(body.getBytes());
      tree.put("model", upstreamModel);
      defaults.forEach((key, value) -> {
        if (!tree.has(key)) {
          tree.set(key, JSON.valueToTree(value));
        }
      });
      return Buffer.buffer(JSON.writeValueAsBytes(tree));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("body was already validated by RequestPeek", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
