package dev.rolemesh.cli;

import dev.rolemesh.bench.BenchCommand;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one jar's entry point: {@code rolemesh <command>}; the scripts in bin/ name the command for you. */
@Command(
    name = "rolemesh",
    mixinStandardHelpOptions = true,
    version = "rolemesh 0.1.0",
    description = "OpenAI-compatible gateway that routes requests by role to local LLM backends.",
    subcommands = {GatewayCommand.class, SimCommand.class, DemoCommand.class, NodeAgentCommand.class,
        BenchCommand.class})
public final class Main {

  /**
   * Every subcommand by name. A named command is parsed on its own: picocli's classes predate Java 6, so the JDK's
   * AOT cache cannot hold them and building the whole command tree in the interpreter took half of the gateway's
   * start-up.
   */
  static final Map<String, Supplier<Object>> COMMANDS = Map.of(
      "gateway", GatewayCommand::new,
      "sim", SimCommand::new,
      "demo", DemoCommand::new,
      "node-agent", NodeAgentCommand::new,
      "bench", BenchCommand::new);

  public static void main(String[] args) {
    Supplier<Object> named = args.length == 0 ? null : COMMANDS.get(args[0]);
    CommandLine command = named == null
        ? new CommandLine(new Main())
        : new CommandLine(named.get()).setCommandName("rolemesh " + args[0]);
    System.exit(command.execute(named == null ? args : Arrays.copyOfRange(args, 1, args.length)));
  }
}
