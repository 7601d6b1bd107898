package dev.rolemesh.admission;

import dev.rolemesh.config.QueueSettings;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One role's FIFO of requests waiting for a slot, shared by every event loop. Arrivals, departures and hand-outs
 * take the queue's monitor for a few map reads each (never I/O), so a slot that frees on one event loop goes to the
 * request first in line on any other; that request is then forwarded on its own loop. It outlives config versions:
 * a reload changes its limits, never its waiters.
 */
public final class RoleQueue {

  /** A waiter and its place among the arrivals of every queue, so a slot two queues wait for goes to the older. */
  private record Entry(Waiter waiter, long arrival, long bodyBytes) {}

  private final ArrayDeque<Entry> waiting = new ArrayDeque<>();
  /** Every queue's waiters together, so that a freed slot costs nothing while no queue holds any. */
  private final AtomicInteger allWaiting;
  /** Numbers the arrivals of every queue. */
  private final AtomicLong arrivals;
  /** The bodies every queue's waiters hold. */
  private final AtomicLong queuedBodyBytes;
  /** {@code waiting.size()}, readable without the lock: the request path asks it on every request. */
  private volatile int size;
  private volatile QueueSettings limits;

  RoleQueue(QueueSettings limits, AtomicInteger allWaiting, AtomicLong arrivals, AtomicLong queuedBodyBytes) {
    this.limits = limits;
    this.allWaiting = allWaiting;
    this.arrivals = arrivals;
    this.queuedBodyBytes = queuedBodyBytes;
  }

  /** Nobody waits: an arriving request that finds room may go straight to its backend. */
  public boolean idle() {
    return size == 0;
  }

  public int waiting() {
    return size;
  }

  public QueueSettings limits() {
    return limits;
  }

  void limits(QueueSettings value) {
    limits = value;
  }

  /**
   * A request that found no room (or found others waiting): admitted at once when the queue is empty and a slot freed
   * meanwhile, else enqueued while the queue has room (and its body fits beside the waiting ones', see
   * {@link AdmissionPolicy#bodyFits}), else refused. Once enqueued it is admitted by a later {@link #pump}, or leaves
   * by {@link #leave}.
   *
   * @param bodyBytes its body, held while it waits
   * @param bodyBudgetBytes {@code gateway.max_inflight_body_mb}
   */
  public synchronized AdmissionPolicy.Outcome arrive(Waiter waiter, long bodyBytes, long bodyBudgetBytes) {
    boolean room = waiting.isEmpty() && waiter.admitIfRoom();
    AdmissionPolicy.Outcome outcome = AdmissionPolicy.onArrival(room, waiting.size(), limits,
        AdmissionPolicy.bodyFits(queuedBodyBytes.get(), bodyBytes, bodyBudgetBytes));
    if (outcome == AdmissionPolicy.Outcome.ENQUEUE) {
      waiting.addLast(new Entry(waiter, arrivals.getAndIncrement(), bodyBytes));
      queuedBodyBytes.addAndGet(bodyBytes);
      resized();
      // A slot may have freed between the caller's look and this lock; its pump found nobody then.
      pump();
    }
    return outcome;
  }

  /** Takes the waiter out (its client left, or it waited too long); false when it was already admitted. */
  public synchronized boolean leave(Waiter waiter) {
    for (Entry entry : waiting) {
      if (entry.waiter() == waiter) {
        waiting.remove(entry);
        gone(entry);
        return true;
      }
    }
    return false;
  }

  /** Hands free slots to the requests first in line, in order, until one finds every backend still full. */
  private synchronized void pump() {
    while (admitFirst()) {
      // the next in line may find room too
    }
  }

  /** Hands a free slot to the request first in line, if one is free for it; false when none waits or none is. */
  synchronized boolean admitFirst() {
    Entry first = waiting.peekFirst();
    if (first == null || !first.waiter().admitIfRoom()) {
      return false;
    }
    gone(waiting.pollFirst());
    return true;
  }

  /** When the request first in line arrived among every queue's arrivals; {@link Long#MAX_VALUE} when none waits. */
  synchronized long firstArrival() {
    Entry first = waiting.peekFirst();
    return first == null ? Long.MAX_VALUE : first.arrival();
  }

  private void gone(Entry entry) {
    queuedBodyBytes.addAndGet(-entry.bodyBytes());
    resized();
  }

  private void resized() {
    int now = waiting.size();
    allWaiting.addAndGet(now - size);
    size = now;
  }
}
