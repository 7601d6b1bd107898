package dev.rolemesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.rolemesh.testing.Await;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scripts in bin/ as a user runs them. They run from a copy of bin/ beside a target/rolemesh.jar that holds only
 * a manifest pointing at the test classpath: the launchers find their jar as always, and nothing is built.
 */
class LaunchersTest {

  private static Path repo;

  @BeforeAll
  static void layOut() throws IOException {
    repo = Files.createTempDirectory("rolemesh-launchers-");
    copy(Path.of("bin"), repo.resolve("bin"));
    Files.createDirectories(repo.resolve("target"));
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.put(Attributes.Name.MAIN_CLASS, "dev.rolemesh.cli.Main");
    main.put(new Attributes.Name("Enable-Native-Access"), "ALL-UNNAMED");
    main.put(Attributes.Name.CLASS_PATH, String.join(" ", Stream.of(
        System.getProperty("java.class.path").split(File.pathSeparator))
        .map(entry -> Path.of(entry).toAbsolutePath().toUri().toString()).toList()));
    try (OutputStream jar = new JarOutputStream(Files.newOutputStream(repo.resolve("target/rolemesh.jar")), manifest)) {
      jar.flush();
    }
  }

  @AfterAll
  static void remove() throws IOException {
    try (Stream<Path> files = Files.walk(repo)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  static List<String> launchers() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("bin"))) {
      return files.filter(Files::isRegularFile).map(file -> file.getFileName().toString()).sorted().toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("launchers")
  void everyLauncherAnswersHelpWithItsUsageWithoutStartingAnything(String launcher) throws Exception {
    for (String flag : List.of("--help", "-h")) {
      Run run = run(System.getProperty("java.home"), launcher, flag);
      assertThat(run.exit()).as("%s %s exit code; output: %s", launcher, flag, run.output()).isEqualTo(0);
      assertThat(run.output()).as("%s %s", launcher, flag).containsIgnoringCase("usage:")
          .doesNotContain("listening on");
    }
  }

  @Test
  void aJavaOlderThan21IsNamedInOneLine() throws Exception {
    Optional<Path> old = olderJdk();
    assumeThat(old).as("a JDK older than 21 on this machine").isPresent();
    Run run = run(old.get().toString(), "rolemesh-gateway", "--help");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.output().strip().lines().toList()).singleElement().asString()
        .startsWith("rolemesh: found Java ").contains("at JAVA_HOME=" + old.get())
        .endsWith("RoleMesh needs Java 21 or newer (point JAVA_HOME at a JDK 21+)");
  }

  /** A JDK in /usr/lib/jvm whose release file says it is older than 21. */
  private static Optional<Path> olderJdk() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(jvms)) {
      return dirs.filter(dir -> Files.isExecutable(dir.resolve("bin/java")) && Files.isReadable(dir.resolve("release")))
          .filter(dir -> feature(dir) > 0 && feature(dir) < 21).findFirst();
    }
  }

  private static int feature(Path jdk) {
    try {
      return Files.readAllLines(jdk.resolve("release")).stream().filter(line -> line.startsWith("JAVA_VERSION="))
          .map(line -> line.replaceAll("JAVA_VERSION=\"(\\d+).*", "$1")).mapToInt(Integer::parseInt)
          .findFirst().orElse(0);
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  private record Run(int exit, String output) {}

  private static Run run(String javaHome, String launcher, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(repo.resolve("bin").resolve(launcher).toString()));
    command.addAll(List.of(args));
    // Output to a file, not a pipe: a launcher that wrongly starts a server would block a reader forever.
    Path output = Files.createTempFile(repo, "output-", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().put("JAVA_HOME", javaHome);
    builder.environment().remove("JAVA_OPTS");
    Process process = builder.start();
    boolean exited = process.waitFor(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly().waitFor();
    }
    String printed = Files.readString(output, StandardCharsets.UTF_8);
    if (!exited) {
      throw new AssertionError(launcher + " did not exit; output: " + printed);
    }
    return new Run(process.exitValue(), printed);
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
