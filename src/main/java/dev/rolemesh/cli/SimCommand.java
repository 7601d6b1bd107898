package dev.rolemesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "sim", description = "Run the llama-server simulator.")
final class SimCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 1;
  }
}
