package dev.rolemesh.nodeagent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A pid file in {@code state_dir} for every llama-server the agent runs, so that the next start can kill those an
 * agent that died without cleaning up left behind. A file holds the server's start time, which tells it from a later
 * process that got the same pid, and its command line, for the log. The directory is locked while an agent uses it:
 * a second agent on it would otherwise take the first one's servers for leftovers.
 *
 * <p>Every method blocks (file system, waiting for exits): call them off the event loop.
 */
final class ServerRecords implements AutoCloseable {

  private static final String SUFFIX = ".pid";
  private static final long EXIT_POLL_MS = 20;

  private final Path dir;
  private final FileChannel lockFile;

  /** What a previous run left: {@code stillRunning} when it outlived SIGKILL and the wait for it. */
  record Leftover(long pid, String command, boolean stillRunning) {}

  private ServerRecords(Path dir, FileChannel lockFile) {
    this.dir = dir;
    this.lockFile = lockFile;
  }

  /** @throws IOException when the directory cannot be used, or another agent uses it */
  static ServerRecords open(Path dir) throws IOException {
    Files.createDirectories(dir);
    FileChannel channel = FileChannel.open(dir.resolve("agent.lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IOException("state_dir " + dir.toAbsolutePath() + " is in use by another node agent");
    }
    // The kernel releases the lock when the process dies, however it dies.
    return new ServerRecords(dir, channel);
  }

  void record(ProcessHandle process, List<String> command) throws IOException {
    String started = process.info().startInstant().map(Instant::toString).orElse("");
    Files.writeString(file(process.pid()), started + "\n" + String.join(" ", command) + "\n");
  }

  void forget(long pid) throws IOException {
    Files.deleteIfExists(file(pid));
  }

  /**
   * SIGKILL to every recorded process that still runs, and to what it started; waits up to {@code patience} for
   * them to exit (the GPU memory is free only then) and forgets every record.
   */
  List<Leftover> killLeftovers(Duration patience) throws IOException, InterruptedException {
    List<Leftover> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        List<String> lines = Files.readAllLines(file);
        ProcessHandle process = recordedProcess(file, lines);
        if (process != null) {
          found.add(kill(process, lines.getLast(), patience));
        }
        Files.delete(file);
      }
    }
    return found;
  }

  private static Leftover kill(ProcessHandle process, String command, Duration patience)
      throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    long deadline = System.nanoTime() + patience.toNanos();
    while (running(process) && System.nanoTime() < deadline) {
      Thread.sleep(EXIT_POLL_MS);
    }
    return new Leftover(process.pid(), command, running(process));
  }

  /** The running process a record names, or null when it has exited or its pid now belongs to another process. */
  private static ProcessHandle recordedProcess(Path file, List<String> lines) {
    String name = file.getFileName().toString();
    long pid;
    try {
      pid = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
    } catch (NumberFormatException e) {
      return null;
    }
    String started = lines.isEmpty() ? "" : lines.getFirst();
    return ProcessHandle.of(pid)
        .filter(process -> !started.isEmpty() && running(process)
            && process.info().startInstant().map(Instant::toString).orElse("").equals(started))
        .orElse(null);
  }

  /**
   * Alive and not a zombie. A server whose agent died has a new parent, which may never reap it (a container's
   * first process often does not), and Java counts an unreaped process as alive; a zombie holds no GPU memory.
   */
  static boolean running(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
      // The state follows the command name, which is in parentheses and may itself contain ") ".
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      // No /proc (not Linux), or the process has just gone.
      return process.isAlive();
    }
  }

  private Path file(long pid) {
    return dir.resolve(pid + SUFFIX);
  }

  @Override
  public void close() throws IOException {
    lockFile.close();
  }
}
