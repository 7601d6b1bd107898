package dev.rolemesh.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/** The gateway's own JSON answers (as opposed to the relayed upstream ones). */
public final class Responses {

  private static final ObjectMapper JSON = Json.MAPPER;

  private Responses() {}

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  public static void json(RoutingContext ctx, int status, ObjectNode body) {
    try {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
          .end(Buffer.buffer(JSON.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain nodes always serialises", e);
    }
  }
}
