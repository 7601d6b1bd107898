package dev.rolemesh.nodeagent;

import dev.rolemesh.metrics.Exposition;
import dev.rolemesh.metrics.MergedExposition;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The node agent's {@code GET /metrics}: each GPU's server (state, loads, restarts, in flight), requests waiting for
 * a model, how long they waited, and each ready llama-server's own {@code llamacpp:*} metrics with {@code model}
 * and {@code gpu} labels added. The servers are asked at scrape time (the agent launches them with
 * {@code --metrics}); one that does not answer within a second is left out of that scrape.
 */
final class AgentMetrics {

  private static final double[] WAIT_BUCKETS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300};
  private static final long SERVER_SCRAPE_MS = 1000;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ModelScheduler scheduler;
  private final HttpClient client;
  private final Histogram switchWait = Histogram.builder().name("rolemesh_agent_switch_wait_seconds")
      .help("How long requests waited for their model to be loaded (or switched in), by model and outcome "
          + "(admitted, refused)").unit(Unit.SECONDS).labelNames("model", "outcome").classicOnly()
      .classicUpperBounds(WAIT_BUCKETS).register(registry);
  private final Counter connectionsCut = Counter.builder().name("rolemesh_agent_connections_cut")
      .help("Client connections closed by client_timeouts, by the limit that cut them (header_s, idle_s, "
          + "body_min_bytes_s)").labelNames("reason").register(registry);

  /** @param client for the servers' own /metrics on 127.0.0.1 */
  AgentMetrics(ModelScheduler scheduler, HttpClient client) {
    this.scheduler = scheduler;
    this.client = client;
    GaugeWithCallback.builder().name("rolemesh_agent_server_state")
        .help("1 for each GPU's server in its current state (empty, loading, ready, draining, stopping, failed)")
        .labelNames("gpu", "state", "model").callback(cb -> scheduler.snapshots().forEach(
            server -> cb.call(1, gpu(server), server.state(), server.model() == null ? "" : server.model())))
        .register(registry);
    CounterWithCallback.builder().name("rolemesh_agent_server_loads")
        .help("llama-server launches per GPU, restarts included").labelNames("gpu")
        .callback(cb -> scheduler.snapshots().forEach(server -> cb.call(server.loads(), gpu(server))))
        .register(registry);
    CounterWithCallback.builder().name("rolemesh_agent_server_restarts")
        .help("llama-server restarts after a crash, per GPU").labelNames("gpu")
        .callback(cb -> scheduler.snapshots().forEach(server -> cb.call(server.restarts(), gpu(server))))
        .register(registry);
    GaugeWithCallback.builder().name("rolemesh_agent_server_requests_in_flight")
        .help("Requests being served per GPU").labelNames("gpu")
        .callback(cb -> scheduler.snapshots().forEach(server -> cb.call(server.inFlight(), gpu(server))))
        .register(registry);
    GaugeWithCallback.builder().name("rolemesh_agent_requests_waiting")
        .help("Requests waiting for their model to be loaded").callback(cb -> cb.call(scheduler.waitingCount()))
        .register(registry);
  }

  /** A client connection was closed by the limit {@code reason} names. */
  void connectionCut(String reason) {
    connectionsCut.labelValues(reason).inc();
  }

  /** A request that could not be served at once waited {@code nanos} for its model. */
  void waited(String model, long nanos, boolean admitted) {
    switchWait.labelValues(model, admitted ? "admitted" : "refused").observe(nanos / 1e9);
  }

  /** The exposition; always succeeds, with whichever servers answered. */
  Future<Buffer> scrape() {
    List<GpuSlot.Snapshot> ready = scheduler.snapshots().stream()
        .filter(server -> "ready".equals(server.state()) && server.port() != null).toList();
    List<Future<String>> texts = new ArrayList<>();
    for (GpuSlot.Snapshot server : ready) {
      texts.add(client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(ServerProcess.LOOPBACK)
              .setPort(server.port()).setURI("/metrics").setConnectTimeout(SERVER_SCRAPE_MS)
              .setIdleTimeout(SERVER_SCRAPE_MS))
          .compose(request -> request.send())
          .compose(response -> response.statusCode() == 200
              ? response.body().map(Buffer::toString)
              : Future.failedFuture("status " + response.statusCode())));
    }
    return Future.join(texts).transform(done -> {
      MergedExposition merged = new MergedExposition();
      for (int i = 0; i < ready.size(); i++) {
        if (texts.get(i).succeeded()) {
          merged.add(texts.get(i).result(), "model", ready.get(i).model(), "gpu", gpu(ready.get(i)));
        }
      }
      return Future.succeededFuture(Buffer.buffer(Exposition.text(merged.with(registry.scrape()))));
    });
  }

  private static String gpu(GpuSlot.Snapshot server) {
    return server.gpu() == null ? "cpu" : String.valueOf(server.gpu());
  }
}
