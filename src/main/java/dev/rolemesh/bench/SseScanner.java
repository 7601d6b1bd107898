package dev.rolemesh.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits one SSE response body into events as its bytes arrive, however the network cut them, and pulls out what the
 * benchmark needs: each {@code data:} event, the simulator's {@code "sim_sent_us"} stamp when the event has one, and
 * the closing {@code data: [DONE]}. No JSON parsing: the stamp is found by its key.
 */
final class SseScanner {

  /** What the scanner found; called in the order of the stream. */
  interface Listener {
    /** A data event; {@code sentMicros} is its {@code sim_sent_us} stamp, or -1 when it has none. */
    void event(long sentMicros);

    /** {@code data: [DONE]}. */
    void done();
  }

  private static final byte[] STAMP_KEY = "\"sim_sent_us\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final Listener listener;
  private byte[] carry = new byte[0];

  SseScanner(Listener listener) {
    this.listener = listener;
  }

  void feed(byte[] bytes) {
    byte[] data = bytes;
    if (carry.length > 0) {
      data = Arrays.copyOf(carry, carry.length + bytes.length);
      System.arraycopy(bytes, 0, data, carry.length, bytes.length);
    }
    int start = 0;
    for (int i = 0; i + 1 < data.length; i++) {
      if (data[i] == '\n' && data[i + 1] == '\n') {
        event(data, start, i);
        start = i + 2;
        i++;
      }
    }
    carry = start == 0 && data == bytes ? bytes.clone() : Arrays.copyOfRange(data, start, data.length);
  }

  /** Bytes of an unfinished event still waiting for their end. */
  int pending() {
    return carry.length;
  }

  private void event(byte[] data, int from, int to) {
    while (from < to && (data[from] == '\n' || data[from] == '\r')) {
      from++;
    }
    if (!startsWith(data, from, to, DATA)) {
      return;
    }
    int value = from + DATA.length;
    while (value < to && data[value] == ' ') {
      value++;
    }
    if (startsWith(data, value, to, DONE)) {
      listener.done();
      return;
    }
    int key = indexOf(data, value, to, STAMP_KEY);
    if (key < 0) {
      listener.event(-1);
      return;
    }
    long stamp = 0;
    int digits = 0;
    for (int i = key + STAMP_KEY.length; i < to && data[i] >= '0' && data[i] <= '9'; i++) {
      stamp = stamp * 10 + (data[i] - '0');
      digits++;
    }
    listener.event(digits == 0 ? -1 : stamp);
  }

  private static boolean startsWith(byte[] data, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] data, int from, int to, byte[] needle) {
    outer:
    for (int i = from; i + needle.length <= to; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
