package dev.rolemesh.observability;

/**
 * Told about every finished exchange, with the record the access log writes: where metrics and a dashboard attach.
 * Called on the event loop that served the request, so an implementation must return at once.
 */
@FunctionalInterface
public interface ExchangeListener {

  void exchanged(AccessLog.Entry entry);

  /** A request for the role is about to go to its first backend; its {@link #exchanged} entry has attempts > 0. */
  default void routed(String role) {}

  /**
   * One backend attempt failed (a later one may still succeed, after a failover).
   *
   * @param kind the failure's kind in lower case, e.g. {@code refused}, {@code read_timeout}
   */
  default void upstreamFailed(String role, String node, String kind) {}
}
