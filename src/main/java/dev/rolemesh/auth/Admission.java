package dev.rolemesh.auth;

import io.vertx.core.MultiMap;
import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;

/**
 * A key's limits applied to one request: let through, or refused with the reason and when to come back. Either way
 * it carries the quotas, which go to the client as OpenAI's {@code x-ratelimit-*} headers.
 *
 */
public final class Admission {

  /** Which limit refused. */
  public enum Refusal {
    REQUESTS,
    TOKENS,
    CONCURRENCY
  }

  /** A key without limits: nothing counted, no headers. */
  static final Admission UNLIMITED = new Admission(null, null, null, null);

  private final String keyName;
  /** Why the request may not start, or null when it may. */
  private final Refusal refusal;
  /** The request quota after this decision, or null when the key has no {@code rpm}. */
  private final RateLimit.Quota requests;
  /** The token quota, or null when the key has no {@code tpm}. */
  private final RateLimit.Quota tokens;

  private Admission(String keyName, Refusal refusal, RateLimit.Quota requests, RateLimit.Quota tokens) {
    this.keyName = keyName;
    this.refusal = refusal;
    this.requests = requests;
    this.tokens = tokens;
  }

  static Admission admitted(RateLimit.Quota requests, RateLimit.Quota tokens) {
    return new Admission(null, null, requests, tokens);
  }

  static Admission refused(String keyName, Refusal refusal, RateLimit.Quota requests, RateLimit.Quota tokens) {
    return new Admission(keyName, refusal, requests, tokens);
  }

  public Refusal refusal() {
    return refusal;
  }

  public boolean admitted() {
    return refusal == null;
  }

  /** Whole seconds until a retry can succeed (rounded up, at least 1): the {@code Retry-After} value. */
  public long retryAfterSeconds() {
    long nanos = switch (refusal) {
      case REQUESTS -> requests.retryAfterNanos();
      case TOKENS -> tokens.retryAfterNanos();
      case CONCURRENCY -> 0;
    };
    return Math.max(1, (nanos + 999_999_999) / 1_000_000_000);
  }

  /** What the 429 says, naming the key (never the key itself) and the limit. */
  public String message() {
    return switch (refusal) {
      case REQUESTS -> "Rate limit reached for key '" + keyName + "': " + requests.limit()
          + " requests per minute (rpm). Retry after " + retryAfterSeconds() + " s.";
      case TOKENS -> "Rate limit reached for key '" + keyName + "': " + tokens.limit()
          + " tokens per minute (tpm). Retry after " + retryAfterSeconds() + " s.";
      case CONCURRENCY -> "Too many concurrent requests for key '" + keyName + "' (max_concurrent). Retry when one"
          + " has finished.";
    };
  }

  /** The error type OpenAI gives a 429: which kind of limit it was. */
  public String type() {
    return switch (refusal) {
      case REQUESTS -> "requests";
      case TOKENS -> "tokens";
      case CONCURRENCY -> "concurrent_requests";
    };
  }

  /** OpenAI's rate-limit headers for the limits the key has, and {@code Retry-After} when refused. */
  public void writeHeaders(MultiMap headers) {
    if (requests != null) {
      headers.set("x-ratelimit-limit-requests", Integer.toString(requests.limit()));
      headers.set("x-ratelimit-remaining-requests", Long.toString(requests.remaining()));
      headers.set("x-ratelimit-reset-requests", duration(requests.resetNanos()));
    }
    if (tokens != null) {
      headers.set("x-ratelimit-limit-tokens", Integer.toString(tokens.limit()));
      headers.set("x-ratelimit-remaining-tokens", Long.toString(tokens.remaining()));
      headers.set("x-ratelimit-reset-tokens", duration(tokens.resetNanos()));
    }
    if (refusal != null) {
      headers.set("Retry-After", Long.toString(retryAfterSeconds()));
    }
  }

  /** OpenAI's spelling of a duration in these headers: {@code 120ms}, {@code 1.5s}, {@code 6m0s}. */
  static String duration(long nanos) {
    long ms = TimeUnit.NANOSECONDS.toMillis(nanos + 999_999);
    if (ms < 1_000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      String seconds = BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString();
      return seconds + "s";
    }
    return ms / 60_000 + "m" + (ms % 60_000) / 1_000 + "s";
  }
}
