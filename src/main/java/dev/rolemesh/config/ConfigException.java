package dev.rolemesh.config;

/**
 * A configuration that cannot be used. The message is one line naming the file and the field path, ready to print
 * as is before exiting with code 2.
 */
public final class ConfigException extends Exception {

  public ConfigException(String message) {
    super(oneLine(message));
  }

  public ConfigException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  // Messages may embed text from YAML or I/O libraries, which sometimes spans lines; the one-line promise holds anyway.
  private static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
