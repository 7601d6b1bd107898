package dev.rolemesh.lifecycle;

import dev.rolemesh.observability.JsonLog;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code --watch}: calls {@code changed} once the config files have changed and then stayed quiet for a moment, so
 * an editor's save (often a write, a rename and a chmod) or a copy of both files counts as one change. It watches
 * the files' directories, not the files, since editors and Kubernetes config maps replace a file rather than write
 * it; and it compares the files' bytes, so a touch or a change to a neighbouring file triggers nothing.
 */
public final class ConfigWatcher implements AutoCloseable {

  /** How long the files must stay unchanged before the change counts. */
  public static final Duration QUIET = Duration.ofMillis(300);

  private final List<Path> files;
  private final Runnable changed;
  private final JsonLog log;
  private final WatchService watcher;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "rolemesh-config-watch");
    thread.setDaemon(true);
    return thread;
  });
  private ScheduledFuture<?> pending;
  private List<byte[]> seen;

  private ConfigWatcher(List<Path> files, Runnable changed, JsonLog log) throws IOException {
    this.files = files;
    this.changed = changed;
    this.log = log;
    this.watcher = FileSystems.getDefault().newWatchService();
    this.seen = contents();
  }

  /** Starts watching; {@code changed} runs on the watcher's own thread. */
  public static ConfigWatcher start(List<Path> files, Runnable changed, JsonLog log) throws IOException {
    List<Path> absolute = files.stream().map(file -> file.toAbsolutePath().normalize()).toList();
    ConfigWatcher watch = new ConfigWatcher(absolute, changed, log);
    Set<Path> dirs = new LinkedHashSet<>();
    absolute.forEach(file -> dirs.add(file.getParent()));
    for (Path dir : dirs) {
      dir.register(watch.watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    }
    Thread.ofPlatform().daemon().name("rolemesh-config-events").start(watch::events);
    return watch;
  }

  private void events() {
    try {
      while (true) {
        var key = watcher.take();
        key.pollEvents();
        key.reset();
        settleThenCheck();
      }
    } catch (InterruptedException | ClosedWatchServiceException stopped) {
      // Closed: the process is stopping.
    }
  }

  private synchronized void settleThenCheck() {
    if (pending != null) {
      pending.cancel(false);
    }
    pending = timer.schedule(this::check, QUIET.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void check() {
    List<byte[]> now = contents();
    boolean same = now.size() == seen.size();
    for (int i = 0; same && i < now.size(); i++) {
      same = Arrays.equals(now.get(i), seen.get(i));
    }
    if (!same) {
      seen = now;
      changed.run();
    }
  }

  /** Each file's bytes; an unreadable file (mid-replace, deleted) reads as empty and the loader will say why. */
  private List<byte[]> contents() {
    return files.stream().map(file -> {
      try {
        return Files.readAllBytes(file);
      } catch (IOException e) {
        return new byte[0];
      }
    }).toList();
  }

  @Override
  public void close() {
    try {
      watcher.close();
    } catch (IOException e) {
      log.warn("watch_close_failed", String.valueOf(e));
    }
    timer.shutdownNow();
  }
}
