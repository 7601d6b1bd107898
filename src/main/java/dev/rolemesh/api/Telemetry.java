package dev.rolemesh.api;

import dev.rolemesh.dashboard.Recorder;
import dev.rolemesh.metrics.GatewayMetrics;
import dev.rolemesh.observability.AccessLog;
import dev.rolemesh.observability.ExchangeListener;
import dev.rolemesh.observability.JsonLog;
import java.util.function.LongSupplier;

/**
 * Where each finished exchange goes: the access log always; the Prometheus metrics and the dashboard's recorder
 * unless {@code gateway.metrics: false}. Outlives config versions, like the node store.
 *
 * @param metrics null when recording is off
 * @param recorder null when recording is off
 */
record Telemetry(AccessLog accessLog, GatewayMetrics metrics, Recorder recorder) implements ExchangeListener {

  /**
   * @param reloads configs swapped in since start
   * @param failedReloads reloads refused since start
   */
  static Telemetry create(JsonLog log, boolean record, LongSupplier reloads, LongSupplier failedReloads) {
    return record
        ? new Telemetry(new AccessLog(log), new GatewayMetrics(reloads, failedReloads), new Recorder())
        : new Telemetry(new AccessLog(log), null, null);
  }

  /** A client connection cut by {@code client_timeouts}: counted, never logged (see {@code ConnectionGuard}). */
  void connectionCut(String reason) {
    if (metrics != null) {
      metrics.connectionCut(reason);
    }
  }

  @Override
  public void routed(String role) {
    if (metrics != null) {
      metrics.routed(role);
      recorder.routed(role);
    }
  }

  @Override
  public void upstreamFailed(String role, String node, String kind) {
    if (metrics != null) {
      metrics.upstreamFailed(role, node, kind);
    }
  }

  @Override
  public void exchanged(AccessLog.Entry entry) {
    accessLog.write(entry);
    if (metrics != null) {
      metrics.exchanged(entry);
      recorder.exchanged(entry);
    }
  }
}
