package dev.rolemesh.observability;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: a caller's {@code X-Request-Id} is kept when it is safe to echo and log, else a fresh one is made. */
public final class RequestIds {

  public static final String HEADER = "X-Request-Id";
  private static final int MAX_LENGTH = 128;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  public static String honourOrCreate(String incoming) {
    return isSafe(incoming) ? incoming : create();
  }

  static boolean isSafe(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == ':';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** 16 random bytes as 32 hex characters: unique enough to grep for, cheaper than UUID's SecureRandom. */
  static String create() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[32];
    for (int i = 0; i < 32; i += 16) {
      long bits = random.nextLong();
      for (int j = 0; j < 16; j++) {
        out[i + j] = HEX[(int) (bits >>> (j * 4)) & 0xF];
      }
    }
    return new String(out);
  }
}
