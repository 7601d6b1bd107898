package dev.rolemesh.observability;

/**
 * Told about every finished exchange, with the record the access log writes: where metrics and a dashboard attach.
 * Called on the event loop that served the request, so an implementation must return at once.
 */
@FunctionalInterface
public interface ExchangeListener {

  void exchanged(AccessLog.Entry entry);
}
