package dev.rolemesh.lifecycle;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * POSIX signals for the commands: {@code HUP} reloads, {@code TERM} and {@code INT} stop. {@code sun.misc.Signal}
 * (module jdk.unsupported, open to the class path) rather than a shutdown hook, because a hook runs once, while
 * exiting: it cannot keep serving through a drain, tell a second signal from the first, or survive a reload.
 */
public final class Signals {

  private Signals() {}

  /**
   * Runs {@code handler} on every delivery of the signal, on a thread the JVM starts for it.
   *
   * @param name {@code HUP}, {@code TERM} or {@code INT}
   * @return false when the process may not handle it: it was started with the signal ignored ({@code nohup}
   *     ignores HUP, a shell without job control ignores INT for background jobs), so it never arrives anyway
   */
  public static boolean on(String name, Runnable handler) {
    try {
      // For a signal the process was started with ignored, the JVM installs nothing and throws nothing: it only
      // answers that the previous handler was SIG_IGN.
      return Signal.handle(new Signal(name), signal -> handler.run()) != SignalHandler.SIG_IGN;
    } catch (IllegalArgumentException usedByTheVm) {
      return false;
    }
  }
}
