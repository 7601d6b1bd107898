package dev.rolemesh.proxy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the token counts out of a response as its chunks pass, without keeping any of it: the {@code usage} object
 * (OpenAI's {@code prompt_tokens}/{@code completion_tokens}, or {@code input_tokens}/{@code output_tokens}) of a
 * whole answer or of a stream's last chunk, else llama-server's {@code timings} ({@code cache_n + prompt_n},
 * {@code predicted_n}). A small resumable JSON tokenizer: it follows strings (and their escapes) so that a key split
 * across two chunks, or text that merely looks like a key inside generated content, is handled right; the only
 * state kept is the first bytes of the string being read. The last value seen of each key wins.
 */
public final class UsageScanner {

  /** Long enough for every key below; longer strings are skipped. */
  private static final int KEY_MAX = 18;
  private static final byte[][] KEYS = {
    bytes("prompt_tokens"), bytes("completion_tokens"), bytes("input_tokens"), bytes("output_tokens"),
    bytes("prompt_n"), bytes("cache_n"), bytes("predicted_n"),
  };

  private enum State { OUTSIDE, IN_STRING, ESCAPE, AFTER_KEY, BEFORE_NUMBER, NUMBER }

  private final long[] values = {-1, -1, -1, -1, -1, -1, -1};
  private final byte[] key = new byte[KEY_MAX];
  private int keyLength;
  private int matched = -1;
  private long number;
  private State state = State.OUTSIDE;

  public void scan(Buffer chunk) {
    // One copy into an array the JIT can walk without a bounds-checked call per byte.
    for (byte b : chunk.getBytes()) {
      step(b);
    }
  }

  private void step(byte b) {
    switch (state) {
      case OUTSIDE -> {
        if (b == '"') {
          keyLength = 0;
          state = State.IN_STRING;
        }
      }
      case IN_STRING -> {
        if (b == '"') {
          matched = keyIndex();
          state = matched >= 0 ? State.AFTER_KEY : State.OUTSIDE;
        } else if (b == '\\') {
          keyLength = KEY_MAX + 1;
          state = State.ESCAPE;
        } else if (keyLength <= KEY_MAX) {
          if (keyLength < KEY_MAX) {
            key[keyLength] = b;
          }
          keyLength++;
        }
      }
      case ESCAPE -> state = State.IN_STRING;
      case AFTER_KEY -> state = b == ':' ? State.BEFORE_NUMBER : whitespace(b) ? State.AFTER_KEY : outside(b);
      case BEFORE_NUMBER -> {
        if (b >= '0' && b <= '9') {
          number = b - '0';
          state = State.NUMBER;
        } else if (!whitespace(b)) {
          state = outside(b);
        }
      }
      case NUMBER -> {
        if (b >= '0' && b <= '9') {
          number = number * 10 + (b - '0');
        } else {
          values[matched] = number;
          state = outside(b);
        }
      }
    }
  }

  /** Leaves a key's value; a quote there opens the next string. */
  private State outside(byte b) {
    if (b == '"') {
      keyLength = 0;
      return State.IN_STRING;
    }
    return State.OUTSIDE;
  }

  private static boolean whitespace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private int keyIndex() {
    for (int k = 0; k < KEYS.length; k++) {
      byte[] candidate = KEYS[k];
      if (candidate.length == keyLength && Arrays.equals(candidate, 0, keyLength, key, 0, keyLength)) {
        return k;
      }
    }
    return -1;
  }

  /** Prompt tokens as the backend reported them, or -1 when it reported none. */
  public long inputTokens() {
    if (values[0] >= 0) {
      return values[0];
    }
    if (values[2] >= 0) {
      return values[2];
    }
    return values[4] < 0 ? -1 : values[4] + Math.max(0, values[5]);
  }

  /** Generated tokens as the backend reported them, or -1 when it reported none. */
  public long outputTokens() {
    if (values[1] >= 0) {
      return values[1];
    }
    return values[3] >= 0 ? values[3] : values[6];
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.US_ASCII);
  }
}
