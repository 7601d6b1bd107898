package dev.rolemesh.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies held in memory across every request of the process, against one limit. A request
 * reserves its body's bytes before (or, for a chunked body, while) reading them and releases them once, when it
 * ends; a request that would go over the limit is refused instead of growing the heap until the JVM dies.
 */
public final class BodyBudget {

  /**
   * Without a configured size the budget is a quarter of the heap: a body is held once on the heap and once more,
   * briefly, off-heap while it is written upstream, and the rest of the heap is for streams and everything else.
   */
  public static final int HEAP_FRACTION = 4;

  private final long limitBytes;
  private final AtomicLong held = new AtomicLong();

  public BodyBudget(long limitBytes) {
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("budget must be positive, got " + limitBytes);
    }
    this.limitBytes = limitBytes;
  }

  /** A budget of {@code configuredBytes}, or a quarter of this JVM's heap when that is null. */
  public static BodyBudget of(Long configuredBytes) {
    return new BodyBudget(configuredBytes != null ? configuredBytes : defaultBytes(Runtime.getRuntime().maxMemory()));
  }

  static long defaultBytes(long maxHeapBytes) {
    return Math.max(1, maxHeapBytes / HEAP_FRACTION);
  }

  public long limitBytes() {
    return limitBytes;
  }

  /** Bytes reserved right now, by every request together. */
  public long heldBytes() {
    return held.get();
  }

  /** An empty reservation for one request; use it on one thread. */
  public Reservation open() {
    return new Reservation();
  }

  /** One request's share of the budget: grows as its body is read, is given back once by {@link #release()}. */
  public final class Reservation {
    private long bytes;
    private boolean released;

    private Reservation() {}

    /** Reserves {@code more} bytes; false, reserving nothing, when the budget cannot take them or this is released. */
    public boolean grow(long more) {
      if (released) {
        return false;
      }
      for (long now = held.get(); now + more <= limitBytes; now = held.get()) {
        if (held.compareAndSet(now, now + more)) {
          bytes += more;
          return true;
        }
      }
      return false;
    }

    /** Gives every reserved byte back; later calls do nothing. */
    public void release() {
      if (!released) {
        released = true;
        held.addAndGet(-bytes);
        bytes = 0;
      }
    }

    public long bytes() {
      return bytes;
    }

    public long limitBytes() {
      return limitBytes;
    }
  }
}
