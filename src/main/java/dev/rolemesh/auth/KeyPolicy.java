package dev.rolemesh.auth;

import dev.rolemesh.config.ClientKey;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * What one client key may do: which roles it may use and how much. The counters live here, one set per key, shared
 * by every event loop (limits are per gateway process).
 */
public final class KeyPolicy {

  private final ClientKey key;
  private final LongSupplier clock;
  private final RateLimit requests;
  private final RateLimit tokens;
  private final AtomicInteger inFlight;

  /** @param clock monotonic nanoseconds ({@code System::nanoTime}; tests pass one they move) */
  public KeyPolicy(ClientKey key, LongSupplier clock) {
    this.key = key;
    this.clock = clock;
    long now = clock.getAsLong();
    this.requests = key.rpm() > 0 ? new RateLimit(key.rpm(), now) : null;
    this.tokens = key.tpm() > 0 ? new RateLimit(key.tpm(), now) : null;
    this.inFlight = key.maxConcurrent() > 0 ? new AtomicInteger() : null;
  }

  ClientKey key() {
    return key;
  }

  public boolean allows(String alias) {
    return key.roles() == null || key.roles().contains(alias);
  }

  /**
   * Decides whether a request may start now. An admitted request must be followed by exactly one {@link #finished};
   * a refused one spends nothing.
   */
  public Admission admit() {
    if (!key.limited()) {
      return Admission.UNLIMITED;
    }
    long now = clock.getAsLong();
    RateLimit.Quota tokenQuota = tokens == null ? null : tokens.peek(now);
    if (tokenQuota != null && !tokenQuota.allowed()) {
      return Admission.refused(key.name(), Admission.Refusal.TOKENS, peek(requests, now), tokenQuota);
    }
    if (inFlight != null && inFlight.incrementAndGet() > key.maxConcurrent()) {
      inFlight.decrementAndGet();
      return Admission.refused(key.name(), Admission.Refusal.CONCURRENCY, peek(requests, now), tokenQuota);
    }
    RateLimit.Quota requestQuota = requests == null ? null : requests.take(now);
    if (requestQuota != null && !requestQuota.allowed()) {
      if (inFlight != null) {
        inFlight.decrementAndGet();
      }
      return Admission.refused(key.name(), Admission.Refusal.REQUESTS, requestQuota, tokenQuota);
    }
    return Admission.admitted(requestQuota, tokenQuota);
  }

  /** @param tokensUsed from the response's usage, 0 when it had none */
  public void finished(long tokensUsed) {
    if (inFlight != null) {
      inFlight.decrementAndGet();
    }
    if (tokens != null && tokensUsed > 0) {
      tokens.charge(clock.getAsLong(), tokensUsed);
    }
  }

  private static RateLimit.Quota peek(RateLimit limit, long now) {
    return limit == null ? null : limit.peek(now);
  }
}
