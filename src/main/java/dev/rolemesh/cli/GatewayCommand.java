package dev.rolemesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "gateway", description = "Run the gateway.")
final class GatewayCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 1;
  }
}
