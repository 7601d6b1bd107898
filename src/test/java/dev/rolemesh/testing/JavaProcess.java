package dev.rolemesh.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The project's CLI ({@code dev.rolemesh.cli.Main}) run as a real child JVM on the test classpath, with what it prints
 * collected line by line so a test can wait for it. {@link #command} is the one place the {@code java} command line
 * of a child JVM is built, for tests that start one some other way.
 */
public final class JavaProcess implements AutoCloseable {

  public static final String CLI = "dev.rolemesh.cli.Main";

  /**
   * The test JVM's own flags (see the surefire argLine): without them every child prints JDK warnings about native
   * access and Unsafe, which would be taken for what the program printed. JDKs before 23 refuse the Unsafe flag.
   */
  private static final List<String> QUIET_JDK = Runtime.version().feature() >= 23
      ? List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow")
      : List.of("--enable-native-access=ALL-UNNAMED");

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final CountDownLatch streamsEnded;

  private JavaProcess(Process process, boolean separateStderr) {
    this.process = process;
    this.streamsEnded = new CountDownLatch(separateStderr ? 2 : 1);
    Thread.ofVirtual().start(() -> collect(process.getInputStream(), lines));
    if (separateStderr) {
      Thread.ofVirtual().start(() -> collect(process.getErrorStream(), errors));
    }
  }

  /** {@code java [jvmOptions] -cp <test classpath> mainClass [args]}, with the test JVM's JDK flags. */
  public static List<String> command(List<String> jvmOptions, String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(QUIET_JDK);
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(args));
    return command;
  }

  /** The CLI with stdout and stderr as one stream of lines, in {@link #output()}. */
  public static JavaProcess start(Path workDir, String... args) throws IOException {
    return start(workDir, List.of(), false, args);
  }

  /**
   * @param workDir the child's working directory, or null for this one's
   * @param separateStderr keep stderr in {@link #errors()}, so {@link #output()} is exactly what went to stdout
   */
  public static JavaProcess start(Path workDir, List<String> jvmOptions, boolean separateStderr, String... args)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command(jvmOptions, CLI, args)).redirectErrorStream(!separateStderr);
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    return new JavaProcess(builder.start(), separateStderr);
  }

  /**
   * The CLI started through {@code launcher} (a command that execs the rest, like {@code nohup}), with stdout and
   * stderr as one stream of lines.
   */
  public static JavaProcess startUnder(List<String> launcher, Path workDir, String... args) throws IOException {
    List<String> command = new ArrayList<>(launcher);
    command.addAll(command(List.of(), CLI, args));
    return new JavaProcess(new ProcessBuilder(command).redirectErrorStream(true).directory(workDir.toFile()).start(),
        false);
  }

  private void collect(InputStream stream, List<String> into) {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        synchronized (into) {
          into.add(line);
        }
      }
    } catch (IOException e) {
      // The process went away; what it printed so far stays readable.
    } finally {
      streamsEnded.countDown();
    }
  }

  /** Waits until a printed line matches, and returns the first that does; fails once the output ended without one. */
  public String awaitLine(Predicate<String> matching) {
    String[] found = new String[1];
    Await.until("a matching output line", () -> {
      boolean ended = streamsEnded.getCount() == 0;
      found[0] = output().stream().filter(matching).findFirst().orElse(null);
      if (found[0] == null && ended) {
        throw new AssertionError("the output ended without a matching line: " + output());
      }
      return found[0] != null;
    });
    return found[0];
  }

  /** Waits for the exit and for the last of the output. */
  public int awaitExit() throws InterruptedException {
    if (!process.waitFor(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("process did not exit; output: " + output());
    }
    if (!streamsEnded.await(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("the output did not end; something the process started may still hold it open");
    }
    return process.exitValue();
  }

  /**
   * SIGTERM, leaving its output readable to the end: {@link Process#destroy()} would also close this side of its
   * pipes, so whatever it prints while shutting down would be lost.
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL, and the exit it causes: no chance to clean up, as when a machine loses power. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("process survived SIGKILL");
    }
  }

  /** What it printed so far: stdout, and stderr too unless that is kept apart. */
  public List<String> output() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** What it printed to stderr so far, when started to keep that apart. */
  public List<String> errors() {
    synchronized (errors) {
      return List.copyOf(errors);
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
