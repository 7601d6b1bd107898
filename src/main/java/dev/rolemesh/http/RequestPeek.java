package dev.rolemesh.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.rolemesh.json.JsonErrors;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * What routing needs from a request body, read with a streaming parser: the top-level keys with their JSON kinds,
 * the {@code model} string and the {@code stream} flag. Nested values are skipped (but still checked to be well
 * formed), so the body is never turned into a tree unless defaults must be injected.
 *
 * @param topLevel each top-level key with the token that starts its value
 */
public record RequestPeek(String model, boolean stream, Map<String, JsonToken> topLevel) {

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
      .build();

  /** The body is not usable JSON; {@code param} names the offending field when there is one. */
  public static final class Invalid extends Exception {
    private final String param;

    Invalid(String message, String param) {
      super(message, null, false, false);
      this.param = param;
    }

    public String param() {
      return param;
    }
  }

  public boolean has(String key) {
    return topLevel.containsKey(key);
  }

  public static RequestPeek of(Buffer body) throws Invalid {
    try (JsonParser parser = FACTORY.createParser(body.getBytes())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new Invalid("Request body must be a JSON object", null);
      }
      Map<String, JsonToken> keys = new HashMap<>();
      String model = null;
      boolean stream = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        keys.put(name, value);
        switch (name) {
          case "model" -> model = modelOf(parser, value);
          case "stream" -> stream = streamOf(value);
          default -> parser.skipChildren();
        }
      }
      if (parser.nextToken() != null) {
        throw new Invalid("Unexpected content after the JSON object", null);
      }
      return new RequestPeek(model, stream, Map.copyOf(keys));
    } catch (JsonProcessingException e) {
      throw new Invalid("Request body is not valid JSON: " + JsonErrors.describe(e), null);
    } catch (IOException e) {
      throw new Invalid("Request body could not be read: " + e.getMessage(), null);
    }
  }

  private static String modelOf(JsonParser parser, JsonToken value) throws IOException, Invalid {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_STRING) {
      throw new Invalid("'model' must be a string", "model");
    }
    return parser.getText();
  }

  private static boolean streamOf(JsonToken value) throws Invalid {
    return switch (value) {
      case VALUE_TRUE -> true;
      case VALUE_FALSE, VALUE_NULL -> false;
      default -> throw new Invalid("'stream' must be a boolean", "stream");
    };
  }
}
