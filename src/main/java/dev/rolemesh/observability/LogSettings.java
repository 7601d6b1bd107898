package dev.rolemesh.observability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * How a process logs: JSON lines for machines (the default when stdout is not a terminal) or one short line per
 * request and event for a person at a terminal, coloured there; and the least severe level written.
 *
 * @param colour ANSI colours in text lines: only on a terminal, and never with {@code NO_COLOR} set
 */
public record LogSettings(Format format, boolean colour, Level level) {

  public static final String FORMAT_ENV = "ROLEMESH_LOG_FORMAT";
  public static final String LEVEL_ENV = "ROLEMESH_LOG_LEVEL";

  /** JSON, everything from info up, no colour: what tests and pipes get. */
  public static final LogSettings JSON = new LogSettings(Format.JSON, false, Level.INFO);

  public enum Format { JSON, TEXT }

  /** In increasing severity; a log set to a level writes that level and the ones after it. */
  public enum Level {
    INFO("info"), WARN("warn"), ERROR("error");

    private final String jsonName;

    Level(String jsonName) {
      this.jsonName = jsonName;
    }

    /** As the {@code level} field spells it. */
    public String jsonName() {
      return jsonName;
    }
  }

  /**
   * The settings from the command line (null when not given), else the environment, else the defaults for where
   * stdout goes.
   *
   * @throws IllegalArgumentException with a one-line message naming the option or variable and the choices
   */
  public static LogSettings resolve(String formatOption, String levelOption, Map<String, String> env,
      boolean stdoutIsTerminal) {
    Format format = parse(Format.class, "--log-format", formatOption, env, FORMAT_ENV,
        stdoutIsTerminal ? Format.TEXT : Format.JSON);
    Level level = parse(Level.class, "--log-level", levelOption, env, LEVEL_ENV, Level.INFO);
    boolean colour = format == Format.TEXT && stdoutIsTerminal && env.getOrDefault("NO_COLOR", "").isEmpty();
    return new LogSettings(format, colour, level);
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String option, String optionValue,
      Map<String, String> env, String variable, E fallback) {
    String source = optionValue != null ? option : variable;
    String value = optionValue != null ? optionValue : env.get(variable);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(value.strip())) {
        return constant;
      }
    }
    StringBuilder choices = new StringBuilder();
    for (E constant : type.getEnumConstants()) {
      choices.append(choices.isEmpty() ? "" : "|").append(constant.name().toLowerCase(Locale.ROOT));
    }
    throw new IllegalArgumentException(source + ": must be " + choices + ", got '" + value + "'");
  }

  /** Whether this process's stdout is a terminal, from what Linux says file descriptor 1 is. */
  public static boolean stdoutIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  boolean writes(Level lineLevel) {
    return lineLevel.compareTo(level) >= 0;
  }
}
