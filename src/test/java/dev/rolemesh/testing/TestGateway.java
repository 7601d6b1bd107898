package dev.rolemesh.testing;

import dev.rolemesh.api.GatewayServer;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.ClientTimeouts;
import dev.rolemesh.config.ClientTls;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.ServerSettings;
import dev.rolemesh.config.ServerTls;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.config.UpstreamUrls;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.registry.RegistrySettings;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;

/**
 * A gateway on 127.0.0.1 with an ephemeral port, in front of simulators or of registered nodes, with its log
 * captured; plus the plain HTTP calls the tests make against it. Built up fluently, started once (or restarted on
 * the same registry), closed with everything it started.
 */
public final class TestGateway implements AutoCloseable {

  public static final Timeouts FAST = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), null);
  public static final String CLIENT_KEY = "client-secret";
  public static final String NODE_KEY = "node-secret";

  private final Vertx vertx =
      Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).build();
  private final Map<String, ModelConfig> models = new LinkedHashMap<>();
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  private final JsonLog log = JsonLog.to(new PrintStream(logBytes, true, StandardCharsets.UTF_8));
  private HttpCalls http = HttpCalls.http1(this::baseUrl);
  private ServerTls tls;
  private ClientTls nodeTls;
  private AuthConfig auth = AuthConfig.OPEN;
  private long maxBodyBytes = ServerSettings.DEFAULT_MAX_BODY_BYTES;
  private Long maxInflightBodyBytes;
  private ClientTimeouts clientTimeouts = ClientTimeouts.DEFAULTS;
  private String defaultModel;
  private RegistrySettings registry = RegistrySettings.inMemory();
  private LongSupplier limitsClock = System::nanoTime;
  private boolean metrics = true;
  private GatewayServer server;
  private boolean closed;

  public Simulator simulator(SimOptions options) {
    return Await.result(Simulator.start(vertx, options.withPort(0)));
  }

  public TestGateway proxy(String alias, String url, Map<String, Object> defaults, Timeouts timeouts) {
    return model(new ModelConfig(alias, alias, defaults, timeouts,
        new ModelTarget.Proxy(UpstreamUrls.normalize(url), null)));
  }

  public TestGateway proxy(String alias, Simulator backend) {
    return proxy(alias, backend.baseUrl(), Map.of(), FAST);
  }

  /** An alias served by whichever registered node serves {@code role}, with a config file's default timeouts. */
  public TestGateway discovered(String alias, String role, ModelTarget.Strategy strategy,
      Map<String, Object> defaults) {
    return model(new ModelConfig(alias, alias, defaults, Timeouts.DEFAULTS,
        new ModelTarget.Discovered(role, strategy)));
  }

  public TestGateway discovered(String alias, String role, ModelTarget.Strategy strategy) {
    return discovered(alias, role, strategy, Map.of());
  }

  public TestGateway model(ModelConfig model) {
    models.put(model.alias(), model);
    if (defaultModel == null) {
      defaultModel = model.alias();
    }
    return this;
  }

  /** Gives the already added {@code alias} these {@code fallbacks}. */
  public TestGateway fallbacks(String alias, String... fallbacks) {
    ModelConfig model = models.get(alias);
    models.put(alias, withFallbacks(model, fallbacks));
    return this;
  }

  /** {@code model} with these {@code fallbacks} instead of its own. */
  public static ModelConfig withFallbacks(ModelConfig model, String... fallbacks) {
    return new ModelConfig(model.alias(), model.openaiModelName(), model.defaults(), model.timeouts(), model.target(),
        List.of(fallbacks));
  }

  public TestGateway auth(AuthConfig value) {
    auth = value;
    return this;
  }

  /** {@link #CLIENT_KEY} for clients and {@link #NODE_KEY} for nodes, as a gateway with discovered roles has. */
  public TestGateway clientAndNodeKeys() {
    return auth(new AuthConfig(List.of(CLIENT_KEY), List.of(NODE_KEY)));
  }

  public TestGateway maxBodyBytes(long value) {
    maxBodyBytes = value;
    return this;
  }

  /** {@code gateway.max_inflight_body_mb} in bytes; unset, the gateway takes a quarter of the heap. */
  public TestGateway maxInflightBodyBytes(long value) {
    maxInflightBodyBytes = value;
    return this;
  }

  public TestGateway clientTimeouts(ClientTimeouts value) {
    clientTimeouts = value;
    return this;
  }

  public TestGateway defaultModel(String alias) {
    defaultModel = alias;
    return this;
  }

  /** {@code gateway.metrics}: whether traffic is recorded for /metrics and the dashboard. */
  public TestGateway metrics(boolean value) {
    metrics = value;
    return this;
  }

  /** Where the node registry is saved, when nodes go stale, and the clock that decides it. */
  public TestGateway registry(RegistrySettings value) {
    registry = value;
    return this;
  }

  /** Listens on https with {@code tls}; the test's own calls trust (and present) what {@code calls} holds. */
  public TestGateway tls(ServerTls value, SSLContext calls) {
    tls = value;
    http.close();
    http = HttpCalls.https(this::baseUrl, calls);
    return this;
  }

  /** How the gateway calls nodes registered at https addresses. */
  public TestGateway nodeTls(ClientTls value) {
    nodeTls = value;
    return this;
  }

  /** The monotonic nanoseconds the client keys' rate limits are measured with. */
  public TestGateway limitsClock(LongSupplier value) {
    limitsClock = value;
    return this;
  }

  public TestGateway start() {
    ServerSettings settings = new ServerSettings(ServerSettings.DEFAULT_HOST, 0, FAST, maxBodyBytes,
        Duration.ofSeconds(1), Duration.ofMillis(1), metrics, maxInflightBodyBytes, tls, nodeTls, clientTimeouts,
        ServerSettings.DEFAULT_SHUTDOWN_GRACE);
    GatewayConfig config = new GatewayConfig(1, defaultModel, settings, auth,
        Collections.unmodifiableMap(new LinkedHashMap<>(models)), null);
    server = Await.result(GatewayServer.start(vertx, config, log, registry, limitsClock));
    return this;
  }

  /**
   * Stops the gateway as a shutdown would (the registry is saved) and starts it again with the same settings, on a
   * new port; simulators keep running.
   */
  public TestGateway restart() {
    Await.result(server.close());
    return start();
  }

  public int port() {
    return server.port();
  }

  public String baseUrl() {
    return server.baseUrl();
  }

  /** Request-body bytes held by all requests right now. */
  public long bodyBytesHeld() {
    return server.bodyBudget().heldBytes();
  }

  public GatewayServer server() {
    return server;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Everything logged so far, one JSON object per line. */
  public String log() {
    log.flush();
    return logBytes.toString(StandardCharsets.UTF_8);
  }

  public JsonResponse get(String path, String... headers) {
    return http.get(path, headers);
  }

  public JsonResponse post(String path, String json, String... headers) {
    return http.post(path, json, headers);
  }

  public JsonResponse delete(String path, String... headers) {
    return http.delete(path, headers);
  }

  /** The calls behind {@link #get} and {@link #post}, for a body the test reads as it streams in. */
  public HttpCalls http() {
    return http;
  }

  /** POST /v1/chat/completions with {@link #chat}'s body for {@code model} and nothing else. */
  public JsonResponse postChat(String model, String... headers) {
    return post("/v1/chat/completions", chat(model, ""), headers);
  }

  /** Registers a node (a body from {@link NodeRegistrations}) with {@link #NODE_KEY}; anything but 200 fails. */
  public void register(String body) {
    JsonResponse response = post("/v1/nodes/register", body, "X-RoleMesh-Node-Key", NODE_KEY);
    if (response.statusCode() != 200) {
      throw new AssertionError("registration failed: " + response);
    }
  }

  /** A chat completion body; {@code extraFields} is more JSON members, like {@code "stream":true}. */
  public static String chat(String model, String extraFields) {
    String modelField = model == null ? "" : "\"model\":\"" + model + "\",";
    return "{" + modelField + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]"
        + (extraFields.isEmpty() ? "" : "," + extraFields) + "}";
  }

  /** Closes everything it started; again is a no-op, for a test that stops the gateway before its end. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    http.close();
    if (server != null) {
      Await.result(server.close());
    }
    Await.result(vertx.close());
  }
}
