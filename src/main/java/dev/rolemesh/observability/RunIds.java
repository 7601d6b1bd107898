package dev.rolemesh.observability;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rolemesh.json.Json;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * Which agent run a request belongs to: the {@code X-RoleMesh-Run} header, or else the OpenAI {@code user} field of
 * the body, so that an agent's planner, coder and reviewer calls show up as one run. A value that could not be
 * logged or forwarded as a header safely (control characters, over 128 characters) is ignored.
 */
public final class RunIds {

  public static final String HEADER = "X-RoleMesh-Run";
  private static final int MAX_LENGTH = 128;

  private RunIds() {}

  /**
   * @param header the request's {@code X-RoleMesh-Run}, or null
   * @param userToken the kind of the body's top-level {@code user} value, or null when it has none: the body is read
   *     again only when that is a string
   * @return the run id, or null when the request names none
   */
  public static String of(String header, Buffer body, JsonToken userToken) {
    if (header != null) {
      return usable(header.strip());
    }
    return userToken == JsonToken.VALUE_STRING ? usable(userOf(body)) : null;
  }

  private static String usable(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return null;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return null;
      }
    }
    return id;
  }

  private static String userOf(Buffer body) {
    try (JsonParser parser = Json.MAPPER.getFactory().createParser(body.getBytes())) {
      parser.nextToken();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("user".equals(name) && value == JsonToken.VALUE_STRING) {
          return parser.getText();
        }
        parser.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }
}
