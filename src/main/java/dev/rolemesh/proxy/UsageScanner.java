package dev.rolemesh.proxy;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;

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
    // Read where the bytes already are: a response chunk is a heap buffer, and this runs for every response while
    // metrics are on, so a copy per chunk would be most of its cost.
    ByteBuf buf = chunk instanceof BufferInternal internal ? internal.unwrap() : null;
    if (buf != null && buf.hasArray()) {
      int from = buf.arrayOffset() + buf.readerIndex();
      scan(buf.array(), from, from + buf.readableBytes());
    } else {
      byte[] bytes = chunk.getBytes();
      scan(bytes, 0, bytes.length);
    }
  }

  /** The two states most bytes are read in (between strings, inside generated text) skip ahead in tight loops. */
  private void scan(byte[] bytes, int from, int end) {
    int i = from;
    while (i < end) {
      if (state == State.OUTSIDE) {
        while (i < end && bytes[i] != '"') {
          i++;
        }
        if (i < end) {
          keyLength = 0;
          state = State.IN_STRING;
          i++;
        }
      } else if (state == State.IN_STRING) {
        i = string(bytes, i, end);
      } else {
        step(bytes[i++]);
      }
    }
  }

  /**
   * Reads on inside a string; returns where it stopped (after its closing quote or an escape, or at the end). The
   * key's length lives in a local while the loop runs: this loop sees nearly every byte of a response.
   */
  private int string(byte[] bytes, int from, int end) {
    int i = from;
    int length = keyLength;
    while (i < end) {
      byte b = bytes[i++];
      if (b == '"' || b == '\\') {
        keyLength = length;
        endOfString(b);
        return i;
      }
      if (length < KEY_MAX) {
        key[length++] = b;
      } else {
        // Too long for a key (generated text): only its end matters now.
        keyLength = KEY_MAX + 1;
        while (i < end) {
          byte c = bytes[i++];
          if (c == '"' || c == '\\') {
            endOfString(c);
            return i;
          }
        }
        return i;
      }
    }
    keyLength = length;
    return i;
  }

  /** A closing quote ends a string that may be a key; an escape means it is none (no key below has one). */
  private void endOfString(byte b) {
    if (b == '"') {
      matched = keyIndex();
      state = matched >= 0 ? State.AFTER_KEY : State.OUTSIDE;
    } else {
      keyLength = KEY_MAX + 1;
      state = State.ESCAPE;
    }
  }

  /** One byte after a string (scan reads the bytes between strings and inside them itself). */
  private void step(byte b) {
    switch (state) {
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
      case OUTSIDE, IN_STRING -> throw new IllegalStateException("scan reads " + state + " itself");
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

  /** The key just read, as an index into {@link #KEYS}, or -1; by length first, as most strings are no key. */
  private int keyIndex() {
    return switch (keyLength) {
      case 7 -> is(5);
      case 8 -> is(4);
      case 11 -> is(6);
      case 12 -> is(2);
      case 13 -> key[0] == 'p' ? is(0) : is(3);
      case 17 -> is(1);
      default -> -1;
    };
  }

  private int is(int k) {
    byte[] candidate = KEYS[k];
    for (int i = 0; i < keyLength; i++) {
      if (key[i] != candidate[i]) {
        return -1;
      }
    }
    return k;
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
