package dev.rolemesh.config;

/**
 * A configuration that cannot be used. The message is one line naming the file and the field path, ready to print
 * as is before exiting with code 2.
 */
public final class ConfigException extends Exception {

  public ConfigException(String message) {
    super(message);
  }
}
