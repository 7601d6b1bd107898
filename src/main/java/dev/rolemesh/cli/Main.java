package dev.rolemesh.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one jar's entry point: {@code rolemesh <command>}; the scripts in bin/ name the command for you. */
@Command(
    name = "rolemesh",
    mixinStandardHelpOptions = true,
    version = "rolemesh 0.1.0",
    description = "OpenAI-compatible gateway that routes requests by role to local LLM backends.",
    subcommands = {GatewayCommand.class, SimCommand.class, DemoCommand.class, NodeAgentCommand.class,
        dev.rolemesh.bench.BenchCommand.class})
public final class Main {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
