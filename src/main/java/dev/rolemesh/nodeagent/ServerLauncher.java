package dev.rolemesh.nodeagent;

import dev.rolemesh.observability.JsonLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Starts llama-server processes so that none outlives the agent, even an agent killed with SIGKILL or by the OOM
 * killer, which would leave a server holding its GPU's memory and make every later load there fail:
 *
 * <ul>
 *   <li>where util-linux's {@code setpriv} exists, a server runs under {@code setpriv --pdeathsig KILL}, so the
 *       kernel kills it when the agent dies;
 *   <li>each server has a record in {@code state_dir} ({@link ServerRecords}), and the agent kills what a previous
 *       run left before it serves: that covers hosts without setpriv and processes a wrapper script started.
 * </ul>
 *
 * <p>Launches and records run on one thread of their own, which lives as long as the agent: the kernel sends the
 * parent-death signal when the thread that started a process ends, not when its process does. It also keeps
 * launches from waiting for any other blocking work.
 */
final class ServerLauncher {

  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  /** How long to wait for killed leftovers to exit: until they have, their GPU memory is not free. */
  private static final Duration LEFTOVER_EXIT_WAIT = Duration.ofSeconds(30);
  private static final long SETPRIV_TRIAL_S = 10;

  private final Context context;
  private final String binary;
  private final ExecutorService thread;
  private final ServerRecords records;
  private final boolean deathSignal;

  private ServerLauncher(Context context, String binary, ExecutorService thread, ServerRecords records,
      boolean deathSignal) {
    this.context = context;
    this.binary = binary;
    this.thread = thread;
    this.records = records;
    this.deathSignal = deathSignal;
  }

  /** Locks {@code stateDir} and kills the servers a previous run left there. */
  static Future<ServerLauncher> open(Context context, Path stateDir, String binary, JsonLog log) {
    ExecutorService thread = Executors.newSingleThreadExecutor(
        Thread.ofPlatform().name("rolemesh-launcher").daemon().factory());
    return onThread(context, thread, () -> {
      ServerRecords records = ServerRecords.open(stateDir);
      try {
        for (ServerRecords.Leftover leftover : records.killLeftovers(LEFTOVER_EXIT_WAIT)) {
          if (leftover.stillRunning()) {
            log.error("leftover_server_survived", "a llama-server a previous run left did not exit on SIGKILL;"
                + " its GPU memory may still be taken", "pid", leftover.pid(), "command", leftover.command());
          } else {
            log.warn("leftover_server_killed", "killed a llama-server a previous run left running", "pid",
                leftover.pid(), "command", leftover.command());
          }
        }
        boolean deathSignal = parentDeathSignalWorks();
        if (!deathSignal) {
          log.warn("no_parent_death_signal", SETPRIV + " --pdeathsig is not available (util-linux 2.33 or later"
              + " has it): a llama-server outlives an agent killed with SIGKILL until the agent's next start");
        }
        return new ServerLauncher(context, binary, thread, records, deathSignal);
      } catch (Exception e) {
        records.close();
        throw e;
      }
    }).onFailure(failed -> thread.shutdown());
  }

  /** Tried once rather than assumed: older util-linux has setpriv without {@code --pdeathsig}. */
  private static boolean parentDeathSignalWorks() throws InterruptedException {
    if (!Files.isExecutable(SETPRIV)) {
      return false;
    }
    try {
      Process trial = new ProcessBuilder(SETPRIV.toString(), "--pdeathsig", "KILL", "--", "true")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (trial.waitFor(SETPRIV_TRIAL_S, TimeUnit.SECONDS)) {
        return trial.exitValue() == 0;
      }
      trial.destroyForcibly();
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Starts llama-server for {@code model}.
   *
   * @param gpu the index made visible through {@code CUDA_VISIBLE_DEVICES}, or null for the CPU slot, which keeps
   *     the agent's environment
   * @return fails with the launch error (no such binary, not executable)
   */
  Future<ServerProcess> launch(ModelSpec model, Integer gpu) {
    return onThread(context, thread, () -> {
      int port = freeLoopbackPort();
      List<String> command = new ArrayList<>();
      if (deathSignal) {
        command.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
      }
      command.addAll(command(binary, model, port));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      if (gpu != null) {
        builder.environment().put("CUDA_VISIBLE_DEVICES", String.valueOf(gpu));
      }
      Process process = builder.start();
      try {
        records.record(process.toHandle(), command);
      } catch (IOException e) {
        // A server without a record could outlive a crash of the agent unnoticed.
        process.destroyForcibly();
        throw new IOException("cannot record it in state_dir: " + e.getMessage(), e);
      }
      return new ServerProcess(process, port, context);
    }).andThen(launched -> {
      if (launched.succeeded()) {
        // Registered before anyone else hears of the exit, so the record is gone before close() runs.
        long pid = launched.result().pid();
        launched.result().exited().onComplete(exit -> onThread(context, thread, () -> {
          records.forget(pid);
          return null;
        }));
      }
    });
  }

  static List<String> command(String binary, ModelSpec model, int port) {
    List<String> command = new ArrayList<>(List.of(binary, "-m", model.path(), "--host", ServerProcess.LOOPBACK,
        "--port", String.valueOf(port), "-a", model.modelId(), "--metrics"));
    if (model.ctx() != null) {
      command.addAll(List.of("-c", String.valueOf(model.ctx())));
    }
    command.addAll(model.args());
    return command;
  }

  // Another program can take the port before llama-server binds it; llama-server then exits while loading and the
  // load is reported failed with its output, which names the port.
  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(ServerProcess.LOOPBACK))) {
      return socket.getLocalPort();
    }
  }

  /** Releases {@code state_dir} once every server has exited (stop them first) and ends the launcher thread. */
  Future<Void> close() {
    Future<Void> closed = onThread(context, thread, () -> {
      records.close();
      return null;
    });
    thread.shutdown();
    return closed;
  }

  /** Runs {@code task} on the launcher thread and completes on {@code context}. */
  private static <T> Future<T> onThread(Context context, ExecutorService thread, Callable<T> task) {
    Promise<T> promise = Promise.promise();
    thread.execute(() -> {
      try {
        T result = task.call();
        context.runOnContext(v -> promise.complete(result));
      } catch (Exception e) {
        context.runOnContext(v -> promise.fail(e));
      }
    });
    return promise.future();
  }
}
