package dev.rolemesh.sim;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the simulator misbehaves on inference requests, chosen per process ({@code --fail MODE}) or per request
 * ({@code X-Sim-Fail: MODE}, which wins).
 */
public enum FailureMode {
  /** Behave like a healthy llama-server. */
  NONE("none"),
  /** Read the request, then never answer; it holds no slot and stays active until the client goes away. */
  HANG("hang"),
  /** Answer 500 with a llama-server style {@code server_error} body. */
  ERROR500("error500"),
  /**
   * Stream a few chunks and then close the connection without {@code data: [DONE]}; a non-streaming answer is cut
   * off halfway through its body instead.
   */
  DIE_MID_STREAM("die-mid-stream");

  private final String wireName;

  FailureMode(String wireName) {
    this.wireName = wireName;
  }

  /** The spelling used on the command line and in the {@code X-Sim-Fail} header. */
  public String wireName() {
    return wireName;
  }

  /** Parses a wire name (case-insensitive); throws {@link IllegalArgumentException} naming the valid modes. */
  public static FailureMode parse(String text) {
    String wanted = text.trim().toLowerCase(Locale.ROOT);
    for (FailureMode mode : values()) {
      if (mode.wireName.equals(wanted)) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "unknown failure mode '" + text + "', expected one of: "
            + Arrays.stream(values()).map(FailureMode::wireName).collect(Collectors.joining(", ")));
  }
}
