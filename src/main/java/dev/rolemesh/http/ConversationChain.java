package dev.rolemesh.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A conversation's fingerprint as a chain of hashes: link {@code i} hashes link {@code i-1} with the raw bytes of the
 * {@code i}-th part (the system prompt, then each whole message; a plain prompt in {@link #BLOCK_BYTES}-byte blocks).
 * Two requests share the first {@code n} links exactly when they share their first {@code n} parts, so the longest
 * common chain prefix tells how much of a prompt a backend that served the other request may still hold. Hashing the
 * bytes as sent (not a decoded tree) is enough: an agent resends its history as it sent it before.
 */
public final class ConversationChain {

  /** Block size for prompts that are one string: about 64 tokens of English. */
  public static final int BLOCK_BYTES = 256;

  /** No conversation: forms, bodies without messages or prompt. */
  public static final long[] NONE = new long[0];

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long MULTIPLIER = 0x9E3779B97F4A7C15L;

  private long[] parts = new long[8];
  private int size;

  /** Adds one part, bytes {@code [start, end)} of {@code bytes}. */
  void add(byte[] bytes, int start, int end) {
    if (size == parts.length) {
      parts = Arrays.copyOf(parts, size * 2);
    }
    parts[size++] = hash(bytes, start, end);
  }

  /** Adds {@code [start, end)} cut into blocks; the last block may be short. */
  void addBlocks(byte[] bytes, int start, int end) {
    for (int block = start; block < end; block += BLOCK_BYTES) {
      add(bytes, block, Math.min(end, block + BLOCK_BYTES));
    }
  }

  /** The chain over the system part's hashes, then the turns'; the system part may come later in the body. */
  static long[] join(ConversationChain system, ConversationChain turns) {
    int length = system.size + turns.size;
    if (length == 0) {
      return NONE;
    }
    long[] links = new long[length];
    long previous = 0x243F6A8885A308D3L;
    for (int i = 0; i < length; i++) {
      long part = i < system.size ? system.parts[i] : turns.parts[i - system.size];
      previous = mix(previous ^ part);
      links[i] = previous;
    }
    return links;
  }

  // Eight bytes per step: bodies are hashed on the event loop, and agent prompts run to hundreds of kilobytes.
  static long hash(byte[] bytes, int start, int end) {
    long h = end - start;
    int i = start;
    for (; i + 8 <= end; i += 8) {
      h = mix(h ^ (long) LONGS.get(bytes, i));
    }
    long tail = 0;
    for (int shift = 0; i < end; i++, shift += 8) {
      tail |= (bytes[i] & 0xFFL) << shift;
    }
    return mix(h ^ tail);
  }

  private static long mix(long value) {
    long h = (value ^ (value >>> 32)) * MULTIPLIER;
    h = (h ^ (h >>> 29)) * MULTIPLIER;
    return h ^ (h >>> 32);
  }
}
