package dev.rolemesh.cli;

/** The listen address a command was given, checked before starting, and why starting on it failed, in one line. */
final class Listening {

  static final int MAX_PORT = 65535;

  private Listening() {}

  /** Null when {@code port} is usable (0 picks a free one), else what is wrong with it. */
  static String portProblem(String option, Integer port) {
    if (port == null || (port >= 0 && port <= MAX_PORT)) {
      return null;
    }
    return option + ": must be an integer from 0 to " + MAX_PORT + ", got " + port;
  }

  /**
   * "127.0.0.1:8000 is already in use" rather than the native transport's {@code bind(..) failed with error(-98)}.
   */
  static String failure(String host, int port, Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (String.valueOf(cause.getMessage()).contains("Address already in use")) {
        return host + ":" + port + " is already in use";
      }
    }
    return "cannot start on " + host + ":" + port + ": " + e.getMessage();
  }
}
