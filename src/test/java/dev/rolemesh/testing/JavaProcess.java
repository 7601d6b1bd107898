package dev.rolemesh.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The project's CLI ({@code dev.rolemesh.cli.Main}) run as a real child JVM on the test classpath, with its stdout
 * and stderr collected line by line so a test can wait for what it prints.
 */
public final class JavaProcess implements AutoCloseable {

  private final Process process;
  private final List<String> lines = new ArrayList<>();

  private JavaProcess(Process process) {
    this.process = process;
    Thread.ofVirtual().start(this::collect);
  }

  public static JavaProcess start(Path workDir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "-cp", System.getProperty("java.class.path"),
        "dev.rolemesh.cli.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    return new JavaProcess(builder.start());
  }

  private void collect() {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      // The process went away; what it printed so far stays readable.
    }
  }

  /** Waits until a printed line matches, and returns it. */
  public String awaitLine(Predicate<String> matching) {
    String[] found = new String[1];
    Await.until("a matching output line; got so far: " + output(), () -> {
      synchronized (lines) {
        for (String line : lines) {
          if (matching.test(line)) {
            found[0] = line;
            return true;
          }
        }
      }
      return false;
    });
    return found[0];
  }

  public int awaitExit() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("process did not exit; output: " + output());
    }
    Await.until("output collected", () -> !process.isAlive());
    return process.exitValue();
  }

  public List<String> output() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  public Process process() {
    return process;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
