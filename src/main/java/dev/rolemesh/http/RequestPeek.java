package dev.rolemesh.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.rolemesh.json.JsonErrors;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * What routing needs from a request body, read with a streaming parser straight from the body's own bytes (no copy,
 * no tree): the top-level keys with their JSON kinds, the {@code model} string and the {@code stream} flag, and
 * where in the bytes the {@code model} value and the closing brace sit, so a rewrite can splice there. Nested
 * values are skipped without being decoded (but still checked to be well formed), so a huge prompt costs no
 * allocation here. On the way, the conversation's fingerprint is hashed from the same bytes (see
 * {@link ConversationChain}): the system prompt ({@code system}, or the Responses API's {@code instructions}), then
 * each element of {@code messages} (or an {@code input} array), or a {@code prompt} (or {@code input} string) in
 * blocks.
 *
 * @param topLevel each top-level key with the token that starts its value
 * @param modelStart byte offset of the {@code model} value in the body, or -1 when the body has no {@code model}
 * @param modelEnd byte offset just past the {@code model} value, or -1
 * @param closingBrace byte offset of the top-level object's closing brace
 * @param conversation the chain of hashes over the conversation's parts, {@link ConversationChain#NONE} when the body
 *     has none; not to be modified
 */
public record RequestPeek(String model, boolean stream, Map<String, JsonToken> topLevel, int modelStart, int modelEnd,
    int closingBrace, long[] conversation) {

  /** Longer model names are refused: they end up in error messages and log lines. */
  static final int MAX_MODEL_CHARS = 1024;

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
    ByteBuf bytes = ((BufferInternal) body).unwrap();
    byte[] array;
    int offset;
    if (bytes.hasArray()) {
      array = bytes.array();
      offset = bytes.arrayOffset() + bytes.readerIndex();
    } else {
      // Only a direct buffer gets here (the gateway's own body reader always collects into a heap one).
      array = body.getBytes();
      offset = 0;
    }
    try (JsonParser parser = FACTORY.createParser(array, offset, body.length())) {
      return read(parser, array, offset, offset + body.length());
    } catch (JsonProcessingException e) {
      throw new Invalid("Request body is not valid JSON: " + JsonErrors.describe(e), null);
    } catch (IOException e) {
      throw new Invalid("Request body could not be read: " + e.getMessage(), null);
    }
  }

  private static RequestPeek read(JsonParser parser, byte[] array, int base, int limit) throws IOException, Invalid {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      throw new Invalid("Request body must be a JSON object", null);
    }
    Map<String, JsonToken> keys = new HashMap<>();
    String model = null;
    int modelStart = -1;
    int modelEnd = -1;
    boolean stream = false;
    ConversationChain system = new ConversationChain();
    ConversationChain turns = new ConversationChain();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      if (keys.put(name, value) != null && name.equals("model")) {
        // Only one of them would be replaced, and backends disagree on which one counts.
        throw new Invalid("'model' appears more than once", "model");
      }
      switch (name) {
        case "model" -> {
          modelStart = offset(parser.currentTokenLocation().getByteOffset());
          model = modelOf(parser, value);
          modelEnd = offset(parser.currentLocation().getByteOffset());
        }
        case "stream" -> stream = streamOf(value);
        case "system", "instructions" -> system.add(array, base + start(parser), end(parser, array, base, limit));
        case "messages", "input" -> conversation(parser, value == JsonToken.START_ARRAY, array, base, limit, turns);
        case "prompt" -> conversation(parser, false, array, base, limit, turns);
        default -> parser.skipChildren();
      }
    }
    int closingBrace = offset(parser.currentTokenLocation().getByteOffset());
    if (parser.nextToken() != null) {
      throw new Invalid("Unexpected content after the JSON object", null);
    }
    return new RequestPeek(model, stream, Map.copyOf(keys), modelStart, modelEnd, closingBrace,
        ConversationChain.join(system, turns));
  }

  /** Hashes each element of an array of messages, or a prompt (one string or anything else) in blocks. */
  private static void conversation(JsonParser parser, boolean messages, byte[] array, int base, int limit,
      ConversationChain turns) throws IOException {
    if (!messages) {
      turns.addBlocks(array, base + start(parser), end(parser, array, base, limit));
      return;
    }
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      turns.add(array, base + start(parser), end(parser, array, base, limit));
    }
  }

  private static int start(JsonParser parser) {
    return offset(parser.currentTokenLocation().getByteOffset());
  }

  /** Skips the current value and returns the index in {@code array} just past it. */
  private static int end(JsonParser parser, byte[] array, int base, int limit) throws IOException {
    if (parser.currentToken() != JsonToken.VALUE_STRING) {
      parser.skipChildren();
      return base + offset(parser.currentLocation().getByteOffset());
    }
    // The parser reads a string only when asked to, and decoding could fail on bytes a backend takes (a lone
    // surrogate): find the closing quote in the raw bytes instead. The parser still checks the string when it
    // moves past it.
    int i = base + start(parser) + 1;
    while (i < limit && array[i] != '"') {
      i += array[i] == '\\' ? 2 : 1;
    }
    return Math.min(i + 1, limit);
  }

  private static int offset(long byteOffset) {
    return (int) byteOffset;
  }

  private static String modelOf(JsonParser parser, JsonToken value) throws IOException, Invalid {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_STRING) {
      throw new Invalid("'model' must be a string", "model");
    }
    if (parser.getTextLength() > MAX_MODEL_CHARS) {
      throw new Invalid("'model' is longer than " + MAX_MODEL_CHARS + " characters", "model");
    }
    String model = parser.getText();
    if (hasLoneSurrogate(model)) {
      // An escaped half pair like \ud83d (the parser refuses it raw, as bytes ED A0 BD): not text that an error
      // message or a log line could carry.
      throw new Invalid("'model' contains an unpaired surrogate (\\ud800-\\udfff)", "model");
    }
    return model;
  }

  private static boolean hasLoneSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  private static boolean streamOf(JsonToken value) throws Invalid {
    return switch (value) {
      case VALUE_TRUE -> true;
      case VALUE_FALSE, VALUE_NULL -> false;
      default -> throw new Invalid("'stream' must be a boolean", "stream");
    };
  }
}
