package dev.rolemesh.admission;

/** A request waiting in a {@link RoleQueue} for a slot. */
@FunctionalInterface
public interface Waiter {

  /**
   * Takes a slot on a backend with room, if there is one, and hands the request back to its own event loop to be
   * forwarded there. Called under the queue's lock, on whichever thread freed a slot: it must not block, and must
   * not call back into the queue.
   *
   * @return false when every backend is still full (the request stays first in line)
   */
  boolean admitIfRoom();
}
