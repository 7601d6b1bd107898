package dev.rolemesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

  /** The shortcut that parses a named command on its own must know exactly the commands the full tree has. */
  @Test
  void everySubcommandCanBeBuiltOnItsOwn() {
    CommandLine tree = new CommandLine(new Main());

    assertThat(Main.COMMANDS.keySet()).containsExactlyInAnyOrderElementsOf(tree.getSubcommands().keySet());
    Main.COMMANDS.forEach((name, command) -> assertThat(new CommandLine(command.get()).getCommandName())
        .isEqualTo(name));
  }
}
