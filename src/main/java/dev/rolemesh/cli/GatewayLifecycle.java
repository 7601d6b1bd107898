package dev.rolemesh.cli;

import dev.rolemesh.api.GatewayServer;
import dev.rolemesh.api.GatewayState;
import dev.rolemesh.config.ConfigDiff;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.lifecycle.ConfigWatcher;
import dev.rolemesh.lifecycle.Reloader;
import dev.rolemesh.lifecycle.Signals;
import dev.rolemesh.lifecycle.StopSignals;
import dev.rolemesh.observability.JsonLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A running gateway's life after startup: SIGHUP and {@code --watch} reload its config, the first SIGTERM or SIGINT
 * drains it, a second one stops it now.
 */
final class GatewayLifecycle {

  private final GatewayServer server;
  private final JsonLog log;
  private final CountDownLatch drained = new CountDownLatch(1);

  private GatewayLifecycle(GatewayServer server, JsonLog log) {
    this.server = server;
    this.log = log;
  }

  /**
   * Serves until stopped by a signal and drained.
   *
   * @param watched the config files {@code --watch} follows, or empty without it
   */
  static void serveUntilStopped(GatewayServer server, Reloader.Source<GatewayConfig> source, List<Path> watched,
      JsonLog log) throws InterruptedException, IOException {
    GatewayLifecycle life = new GatewayLifecycle(server, log);
    try (Reloader<GatewayConfig> reloader = new Reloader<>(source, life::apply, server::reloadFailed, log);
        ConfigWatcher watcher = watched.isEmpty() ? null
            : ConfigWatcher.start(watched, () -> reloader.request("file change"), log)) {
      if (!Signals.on("HUP", () -> reloader.request("SIGHUP"))) {
        log.warn("sighup_ignored", "SIGHUP is ignored by this process (started under nohup?): reload with --watch");
      }
      StopSignals stop = new StopSignals(() -> life.stop(false), () -> life.stop(true));
      for (String signal : List.of("TERM", "INT")) {
        if (!Signals.on(signal, stop::received)) {
          log.warn("signal_ignored", "SIG" + signal + " is ignored by this process; stop it with SIGTERM");
        }
      }
      if (watcher != null) {
        log.info("watching", "Reloading the config when these files change: " + watched, "files",
            watched.stream().map(Path::toString).toList());
      }
      life.drained.await();
    }
  }

  private void stop(boolean now) {
    if (now) {
      log.warn("stopping_now", "Second stop signal: cutting every request still in flight");
      server.stopNow();
      return;
    }
    log.info("stopping", "RoleMesh gateway stopping");
    server.drain().onComplete(done -> drained.countDown());
  }

  private void apply(GatewayConfig loaded, String trigger) {
    GatewayState running = server.state();
    if (running.draining()) {
      log.info("reload_skipped", "The gateway is stopping: config not reloaded", "trigger", trigger);
      return;
    }
    ConfigDiff diff = ConfigDiff.between(running.config(), loaded);
    for (String key : diff.restartOnly()) {
      log.warn("restart_needed", key + " changed in the config; it takes effect at the next restart (still listening"
          + " on " + server.baseUrl() + ")", "key", key, "trigger", trigger);
    }
    if (diff.none(running.config())) {
      log.info("reload_unchanged", "Config reloaded: nothing to change; version " + running.version() + " stays",
          "version", running.version(), "trigger", trigger);
    } else {
      GatewayState now = server.reload(diff.inForce());
      log.info("reloaded", "Config version " + now.version() + " in force (" + trigger + "): roles "
          + now.roles().aliases() + ", default " + now.config().defaultModel(), "version", now.version(),
          "trigger", trigger, "added", diff.added(), "removed", diff.removed(), "changed", diff.changed());
    }
    // A renewed certificate under the same file names is taken up by a reload too, changed config or not.
    server.reloadCertificates().onComplete(done -> {
      if (done.failed()) {
        log.error("tls_reload_failed", "Certificate files not reloaded, the old ones stay in use: "
            + done.cause().getMessage(), "trigger", trigger);
      } else if (done.result()) {
        log.info("tls_reloaded", "Certificate files read again for new connections", "trigger", trigger);
      }
    });
  }
}
