package dev.rolemesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory figures of another process from {@code /proc/<pid>/status} (Linux). */
final class ProcStatus {

  private ProcStatus() {}

  /** A {@code Vm*} field in KiB ({@code VmRSS}, {@code VmHWM}), or -1 when the process or field is not there. */
  static long kib(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * Resets the process's peak RSS ({@code VmHWM}) to its current RSS, so a later read shows the peak of what happened
   * in between. Needs the right to write {@code /proc/<pid>/clear_refs}; returns whether it worked.
   */
  static boolean resetPeak(long pid) {
    try {
      Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  static double mib(long kib) {
    return Math.round(kib / 1024.0 * 10) / 10.0;
  }
}
