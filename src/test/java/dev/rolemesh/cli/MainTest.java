package dev.rolemesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

  @Test
  void theTreeHoldsEveryCommandInHelpOrder() {
    assertThat(Main.tree().getSubcommands().keySet())
        .containsExactly("gateway", "sim", "demo", "node-agent", "bench", "status");
  }

  /** A command parsed on its own and the same command in the tree must answer to one name. */
  @Test
  void everyCommandIsNamedAsItsOwnAnnotationSays() {
    Main.COMMANDS.forEach((name, command) -> assertThat(new CommandLine(command.get()).getCommandName())
        .isEqualTo(name));
  }
}
