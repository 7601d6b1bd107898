package dev.rolemesh.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.Arrays;

/**
 * Counts the tokens a response reports, reading its bytes as they pass on their way to the client: nothing is held
 * back or buffered beyond the small object being read.
 *
 * <p>It looks for OpenAI's {@code "usage":{...}} (the body of a plain answer; the last chunk of a stream whose client
 * asked for {@code stream_options.include_usage}) and, failing that, llama-server's {@code "timings":{...}}, which
 * ends every stream ({@code cache_n + prompt_n + predicted_n} is the same sum). Inside JSON strings a quote is always
 * escaped, so generated text can never look like either key.
 */
public final class UsageScanner {

  private static final byte[] USAGE = "\"usage\"".getBytes();
  private static final byte[] TIMINGS = "\"timings\"".getBytes();
  /** An object bigger than this is not a usage report; it is dropped rather than held. */
  private static final int MAX_OBJECT_BYTES = 4096;

  private enum State {
    SEEKING,
    AFTER_KEY,
    AFTER_COLON,
    IN_OBJECT
  }

  private State state = State.SEEKING;
  private int usageMatched;
  private int timingsMatched;
  private boolean readingUsage;
  private byte[] object = new byte[256];
  private int length;
  private int depth;
  private boolean inString;
  private boolean escaped;
  private long usageTokens = -1;
  private long timingsTokens = -1;

  /** Reads the next piece of the response. */
  public void accept(Buffer chunk) {
    int n = chunk.length();
    for (int i = 0; i < n; i++) {
      step(chunk.getByte(i));
    }
  }

  /** The tokens reported so far: the last usage object, else the last timings object, else 0. */
  public long tokens() {
    return usageTokens >= 0 ? usageTokens : Math.max(0, timingsTokens);
  }

  private void step(byte b) {
    switch (state) {
      case SEEKING -> seek(b);
      case AFTER_KEY -> {
        if (b == ':') {
          state = State.AFTER_COLON;
        } else if (!whitespace(b)) {
          reset(b);
        }
      }
      case AFTER_COLON -> {
        if (b == '{') {
          state = State.IN_OBJECT;
          length = 0;
          depth = 0;
          inString = false;
          escaped = false;
          append(b);
          depth = 1;
        } else if (!whitespace(b)) {
          reset(b);
        }
      }
      case IN_OBJECT -> inObject(b);
    }
  }

  private void seek(byte b) {
    usageMatched = advance(USAGE, usageMatched, b);
    timingsMatched = advance(TIMINGS, timingsMatched, b);
    if (usageMatched == USAGE.length || timingsMatched == TIMINGS.length) {
      readingUsage = usageMatched == USAGE.length;
      usageMatched = 0;
      timingsMatched = 0;
      state = State.AFTER_KEY;
    }
  }

  /** Neither key's first character is repeated inside it, so a mismatch restarts at this byte. */
  private static int advance(byte[] key, int matched, byte b) {
    if (key[matched] == b) {
      return matched + 1;
    }
    return key[0] == b ? 1 : 0;
  }

  private void inObject(byte b) {
    if (!append(b)) {
      reset(b);
      return;
    }
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (b == '\\') {
        escaped = true;
      } else if (b == '"') {
        inString = false;
      }
      return;
    }
    if (b == '"') {
      inString = true;
    } else if (b == '{') {
      depth++;
    } else if (b == '}' && --depth == 0) {
      read();
      state = State.SEEKING;
    }
  }

  private boolean append(byte b) {
    if (length == MAX_OBJECT_BYTES) {
      return false;
    }
    if (length == object.length) {
      object = Arrays.copyOf(object, Math.min(MAX_OBJECT_BYTES, object.length * 2));
    }
    object[length++] = b;
    return true;
  }

  private void read() {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(object, 0, length);
    } catch (IOException e) {
      return;
    }
    if (readingUsage) {
      long total = node.path("total_tokens").asLong(-1);
      usageTokens = total >= 0 ? total
          : node.path("prompt_tokens").asLong(0) + node.path("completion_tokens").asLong(0)
              + node.path("input_tokens").asLong(0) + node.path("output_tokens").asLong(0);
    } else {
      timingsTokens = node.path("cache_n").asLong(0) + node.path("prompt_n").asLong(0)
          + node.path("predicted_n").asLong(0);
    }
  }

  private void reset(byte b) {
    state = State.SEEKING;
    seek(b);
  }

  private static boolean whitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }
}
