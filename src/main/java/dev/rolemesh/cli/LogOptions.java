package dev.rolemesh.cli;

import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.observability.LogSettings;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --log-format} and {@code --log-level}, for the commands that run a server and log to stdout. */
final class LogOptions {

  @Option(names = "--log-format", paramLabel = "text|json",
      description = "text: one short coloured line per request and event; json: one JSON object per line."
          + " Default: $" + LogSettings.FORMAT_ENV + ", else text on a terminal and json otherwise.")
  String format;

  @Option(names = "--log-level", paramLabel = "info|warn|error",
      description = "Write this level and above. Default: $" + LogSettings.LEVEL_ENV + ", else info.")
  String level;

  /** Stdout as asked; a bad value throws with a one-line message naming the option or variable. */
  JsonLog open(Map<String, String> env) {
    return JsonLog.stdout(LogSettings.resolve(format, level, env, LogSettings.stdoutIsTerminal()));
  }
}
