package dev.rolemesh.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The process-wide Vert.x instance for the commands, on the native epoll transport where the OS has it. */
final class VertxRuntime {

  private VertxRuntime() {}

  static Vertx create() {
    // Upstream names are resolved the way the OS does (nsswitch: /etc/hosts, mDNS .local names that home labs use)
    // on a worker thread, instead of by Netty's own DNS client, which also cost start-up time to build.
    if (System.getProperty("vertx.disableDnsResolver") == null) {
      System.setProperty("vertx.disableDnsResolver", "true");
    }
    return Vertx.builder().with(new VertxOptions()
            .setPreferNativeTransport(true)
            // Nothing is served from the classpath: no cache directory to set up in /tmp.
            .setFileSystemOptions(new FileSystemOptions().setClassPathResolvingEnabled(false)
                .setFileCachingEnabled(false)))
        .build();
  }

  /** Waits for a startup step from the main thread (never called on an event loop). */
  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      throw new IllegalStateException("startup did not finish within 30 s", e);
    }
  }

  /** Blocks the main thread until the JVM is asked to stop, then runs {@code onStop} before it exits. */
  static void runUntilStopped(Vertx vertx, Runnable onStop) throws InterruptedException {
    java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      onStop.run();
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // Exiting anyway: the OS closes whatever Vert.x could not.
      }
      stopped.countDown();
    }, "rolemesh-shutdown"));
    stopped.await();
  }
}
