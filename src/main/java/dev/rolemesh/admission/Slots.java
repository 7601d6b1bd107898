package dev.rolemesh.admission;

import java.util.concurrent.ConcurrentHashMap;

/** Requests in flight counted against a capacity, shared by every event loop: a slot is checked and taken at once. */
public final class Slots {

  private Slots() {}

  /**
   * One more in {@code counts} under {@code key} if that stays within {@code slots}, by compare-and-set: no lambda
   * and no boxing beyond the JDK's small-integer cache on the request path.
   */
  public static boolean take(ConcurrentHashMap<String, Integer> counts, String key, int slots) {
    while (true) {
      Integer now = counts.get(key);
      if (now == null) {
        if (!AdmissionPolicy.hasRoom(0, slots)) {
          return false;
        }
        if (counts.putIfAbsent(key, 1) == null) {
          return true;
        }
      } else if (!AdmissionPolicy.hasRoom(now, slots)) {
        return false;
      } else if (counts.replace(key, now, now + 1)) {
        return true;
      }
    }
  }
}
