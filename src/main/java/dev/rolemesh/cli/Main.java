package dev.rolemesh.cli;

import dev.rolemesh.bench.BenchCommand;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one jar's entry point: {@code rolemesh <command>}; the scripts in bin/ name the command for you. */
@Command(
    name = "rolemesh",
    mixinStandardHelpOptions = true,
    version = "rolemesh 0.1.0",
    description = "OpenAI-compatible gateway that routes requests by role to local LLM backends.")
public final class Main {

  /**
   * Every subcommand by name, in the order help lists them. A named command is parsed on its own: picocli's classes
   * predate Java 6, so the JDK's AOT cache cannot hold them and building the whole command tree in the interpreter
   * took half of the gateway's start-up.
   */
  static final Map<String, Supplier<Object>> COMMANDS = commands();

  public static void main(String[] args) {
    Supplier<Object> named = args.length == 0 ? null : COMMANDS.get(args[0]);
    if (named == null) {
      System.exit(tree().execute(args));
    }
    System.exit(new CommandLine(named.get()).setCommandName("rolemesh " + args[0])
        .execute(Arrays.copyOfRange(args, 1, args.length)));
  }

  /** The whole command tree: for help, for a command name nobody knows, and for tests that drive the CLI. */
  public static CommandLine tree() {
    CommandLine tree = new CommandLine(new Main());
    COMMANDS.forEach((name, command) -> tree.addSubcommand(name, command.get()));
    return tree;
  }

  private static Map<String, Supplier<Object>> commands() {
    Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
    commands.put("gateway", GatewayCommand::new);
    commands.put("sim", SimCommand::new);
    commands.put("demo", DemoCommand::new);
    commands.put("node-agent", NodeAgentCommand::new);
    commands.put("bench", BenchCommand::new);
    commands.put("status", StatusCommand::new);
    return Collections.unmodifiableMap(commands);
  }
}
