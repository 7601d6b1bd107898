package dev.rolemesh.metrics;

import dev.rolemesh.observability.AccessLog;
import dev.rolemesh.observability.ExchangeListener;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The gateway's Prometheus metrics. Traffic is counted as each exchange ends, on the event loop that served it (an
 * increment of a striped counter, nothing more); what describes the gateway rather than its traffic (which roles can
 * serve, fresh and stale nodes, in flight per node, config reloads applied and failed) is set just before each
 * scrape from {@link Snapshot}. OpenTelemetry GenAI names where the semantic conventions have one, {@code rolemesh_*}
 * otherwise.
 *
 * <p>Each role's series are looked up once and kept ({@link RoleSeries}): a label lookup in the client is a map
 * lookup with a fresh key, and a request would otherwise make nine of them.
 */
public final class GatewayMetrics implements ExchangeListener {

  /** OpenTelemetry's advised buckets for gen_ai.server.request.duration. */
  private static final double[] DURATION_BUCKETS =
      {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};
  /** OpenTelemetry's advised buckets for gen_ai.server.time_to_first_token. */
  private static final double[] TTFT_BUCKETS =
      {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0};
  /** OpenTelemetry's advised buckets for gen_ai.client.token.usage. */
  private static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
      4194304, 16777216, 67108864};
  /** Waits in a role's queue: from a slot freed at once to {@code max_wait_s}'s default and beyond. */
  private static final double[] QUEUE_BUCKETS =
      {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60};
  private static final String[] STATUS = new String[600];

  static {
    for (int i = 0; i < STATUS.length; i++) {
      STATUS[i] = String.valueOf(i);
    }
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests = Counter.builder().name("rolemesh_requests")
      .help("Requests by role, node (or fixed upstream) and the status the client got").labelNames("role", "node",
          "status").register(registry);
  private final Gauge inFlight = Gauge.builder().name("rolemesh_requests_in_flight")
      .help("Requests sent to a backend and not finished, by role").labelNames("role").register(registry);
  private final Counter upstreamFailures = Counter.builder().name("rolemesh_upstream_failures")
      .help("Backend attempts that failed, by role, node and kind (refused, connect_timeout, read_timeout, "
          + "total_timeout, upstream_closed, upstream_error)").labelNames("role", "node", "kind").register(registry);
  private final Counter failovers = Counter.builder().name("rolemesh_failovers")
      .help("Requests moved to another backend after one failed before answering, by role").labelNames("role")
      .register(registry);
  private final Counter fallbacks = Counter.builder().name("rolemesh_fallbacks")
      .help("Requests sent on to a fallback role because the role asked for could not take them, by that role and"
          + " the fallback whose backend got them last").labelNames("role", "fallback").register(registry);
  private final Counter tokens = Counter.builder().name("rolemesh_tokens")
      .help("Tokens reported by backends, by role, client key name and direction (input, output)")
      .labelNames("role", "key", "direction").register(registry);
  private final Histogram duration = Histogram.builder().name("gen_ai_server_request_duration_seconds")
      .help("Time from request to the end of the response, for requests sent to a backend").unit(Unit.SECONDS)
      .labelNames("gen_ai_request_model").classicOnly().classicUpperBounds(DURATION_BUCKETS).register(registry);
  private final Histogram ttft = Histogram.builder().name("gen_ai_server_time_to_first_token_seconds")
      .help("Time to the first streamed byte of a successful streaming response").unit(Unit.SECONDS)
      .labelNames("gen_ai_request_model").classicOnly().classicUpperBounds(TTFT_BUCKETS).register(registry);
  private final Histogram tokenUsage = Histogram.builder().name("gen_ai_client_token_usage")
      .help("Tokens per request as the backend reported them").labelNames("gen_ai_request_model", "gen_ai_token_type")
      .classicOnly().classicUpperBounds(TOKEN_BUCKETS).register(registry);
  private final Histogram queueWait = Histogram.builder().name("rolemesh_queue_wait_seconds")
      .help("Time requests waited in their role's queue for a free backend slot (requests that found one at once "
          + "are not observed), whatever became of them").unit(Unit.SECONDS).labelNames("role").classicOnly()
      .classicUpperBounds(QUEUE_BUCKETS).register(registry);
  private final Gauge queueWaiting = Gauge.builder().name("rolemesh_queue_waiting")
      .help("Requests waiting in the role's queue for a free backend slot now").labelNames("role")
      .register(registry);
  private final Gauge roleAvailable = Gauge.builder().name("rolemesh_role_available")
      .help("1 when the role can serve now, else 0").labelNames("role").register(registry);
  private final Gauge nodes = Gauge.builder().name("rolemesh_nodes")
      .help("Registered nodes by state (fresh, stale)").labelNames("state").register(registry);
  private final Gauge nodeInFlight = Gauge.builder().name("rolemesh_node_requests_in_flight")
      .help("Requests this gateway has in flight to each registered node").labelNames("node").register(registry);
  private final Counter connectionsCut = Counter.builder().name("rolemesh_connections_cut")
      .help("Client connections closed by gateway.client_timeouts, by the limit that cut them (header_s: no complete "
          + "request head in time, idle_s: a kept-alive connection unused, body_min_bytes_s: a body too slow, "
          + "answered 408)").labelNames("reason").register(registry);

  /** The series of one role that every request touches. */
  private record RoleSeries(GaugeDataPoint inFlight, DistributionDataPoint duration, DistributionDataPoint ttft,
      DistributionDataPoint inputUsage, DistributionDataPoint outputUsage,
      Map<String, CounterDataPoint[]> tokensByKey) {}

  private final Map<String, RoleSeries> roles = new ConcurrentHashMap<>();

  /**
   * @param applied how many configs were swapped in since start (the state's version less one)
   * @param failed how many reloads were refused (an invalid config; the one in force kept serving)
   */
  public GatewayMetrics(LongSupplier applied, LongSupplier failed) {
    CounterWithCallback.builder().name("rolemesh_config_reloads")
        .help("Config reloads since the gateway started, by result: applied (a config swapped in) or failed (refused,"
            + " the config in force kept serving)").labelNames("result")
        .callback(cb -> {
          cb.call(applied.getAsLong(), "applied");
          cb.call(failed.getAsLong(), "failed");
        })
        .register(registry);
  }

  /** What the gateway looks like at scrape time. */
  public record Snapshot(Map<String, Boolean> roleAvailable, int freshNodes, int staleNodes,
      Map<String, Integer> nodeInFlight, Map<String, Integer> queueWaiting) {}

  /** A client connection was closed by the limit {@code reason} names ({@code header_s}, ...). */
  public void connectionCut(String reason) {
    connectionsCut.labelValues(reason).inc();
  }

  @Override
  public void routed(String role) {
    series(role).inFlight().inc();
  }

  @Override
  public void upstreamFailed(String role, String node, String kind) {
    upstreamFailures.labelValues(role, node, kind).inc();
  }

  @Override
  public void exchanged(AccessLog.Entry entry) {
    if (!entry.inference()) {
      return;
    }
    String role = entry.alias() == null ? "" : entry.alias();
    String node = entry.node() != null ? entry.node() : entry.upstream() == null ? "" : entry.upstream();
    int status = entry.status();
    requests.labelValues(role, node, status >= 0 && status < STATUS.length ? STATUS[status] : String.valueOf(status))
        .inc();
    if (entry.queueMs() >= 0) {
      queueWait.labelValues(role).observe(entry.queueMs() / 1e3);
    }
    if (entry.attempts() == 0) {
      return;
    }
    RoleSeries series = series(role);
    series.inFlight().dec();
    if (entry.attempts() > 1) {
      failovers.labelValues(role).inc(entry.attempts() - 1);
    }
    if (entry.servedBy() != null) {
      fallbacks.labelValues(role, entry.servedBy()).inc();
    }
    series.duration().observe(entry.durationMs() / 1e3);
    if (entry.stream() && status == 200 && entry.ttfbMs() >= 0) {
      series.ttft().observe(entry.ttfbMs() / 1e3);
    }
    if (entry.inputTokens() < 0 && entry.outputTokens() < 0) {
      return;
    }
    String key = entry.keyName() == null ? "" : entry.keyName();
    CounterDataPoint[] byDirection = series.tokensByKey().computeIfAbsent(key,
        k -> new CounterDataPoint[] {tokens.labelValues(role, k, "input"), tokens.labelValues(role, k, "output")});
    if (entry.inputTokens() >= 0) {
      byDirection[0].inc(entry.inputTokens());
      series.inputUsage().observe(entry.inputTokens());
    }
    if (entry.outputTokens() >= 0) {
      byDirection[1].inc(entry.outputTokens());
      series.outputUsage().observe(entry.outputTokens());
    }
  }

  private RoleSeries series(String role) {
    RoleSeries series = roles.get(role);
    return series != null ? series : roles.computeIfAbsent(role, r -> new RoleSeries(inFlight.labelValues(r),
        duration.labelValues(r), ttft.labelValues(r), tokenUsage.labelValues(r, "input"),
        tokenUsage.labelValues(r, "output"), new ConcurrentHashMap<>()));
  }

  /** The exposition, in Prometheus text format, with the gateway's current picture set first. */
  public synchronized byte[] scrape(Snapshot now) {
    roleAvailable.clear();
    now.roleAvailable().forEach((role, up) -> roleAvailable.labelValues(role).set(up ? 1 : 0));
    nodes.labelValues("fresh").set(now.freshNodes());
    nodes.labelValues("stale").set(now.staleNodes());
    nodeInFlight.clear();
    now.nodeInFlight().forEach((node, count) -> nodeInFlight.labelValues(node).set(count));
    queueWaiting.clear();
    now.queueWaiting().forEach((role, count) -> queueWaiting.labelValues(role).set(count));
    return Exposition.text(registry.scrape());
  }
}
