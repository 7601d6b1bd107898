package dev.rolemesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "demo", description = "Start the gateway with two simulated role backends.")
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 1;
  }
}
