package dev.rolemesh.testing;

import dev.rolemesh.api.GatewayServer;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.ServerSettings;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.config.UpstreamUrls;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A gateway on 127.0.0.1 with an ephemeral port, in front of simulators, with its log captured; plus the plain
 * HTTP client calls the tests make against it. Built up fluently, started once, closed with everything it started.
 */
public final class TestGateway implements AutoCloseable {

  public static final Timeouts FAST = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), null);

  private final Vertx vertx =
      Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).build();
  private final Map<String, ModelConfig> models = new LinkedHashMap<>();
  private final List<Simulator> simulators = new ArrayList<>();
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  private final JsonLog log = JsonLog.to(new PrintStream(logBytes, true, StandardCharsets.UTF_8));
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private AuthConfig auth = AuthConfig.OPEN;
  private long maxBodyBytes = ServerSettings.DEFAULT_MAX_BODY_BYTES;
  private String defaultModel;
  private GatewayServer server;

  public Simulator simulator(SimOptions options) {
    Simulator simulator = Await.result(Simulator.start(vertx, options.withPort(0)));
    simulators.add(simulator);
    return simulator;
  }

  public TestGateway proxy(String alias, String url, Map<String, Object> defaults, Timeouts timeouts) {
    return model(new ModelConfig(alias, alias, defaults, timeouts,
        new ModelTarget.Proxy(UpstreamUrls.normalize(url), null)));
  }

  public TestGateway proxy(String alias, Simulator backend) {
    return proxy(alias, backend.baseUrl(), Map.of(), FAST);
  }

  public TestGateway model(ModelConfig model) {
    models.put(model.alias(), model);
    if (defaultModel == null) {
      defaultModel = model.alias();
    }
    return this;
  }

  public TestGateway auth(AuthConfig value) {
    auth = value;
    return this;
  }

  public TestGateway maxBodyBytes(long value) {
    maxBodyBytes = value;
    return this;
  }

  public TestGateway defaultModel(String alias) {
    defaultModel = alias;
    return this;
  }

  public TestGateway start() {
    ServerSettings settings = new ServerSettings(ServerSettings.DEFAULT_HOST, 0, FAST, maxBodyBytes,
        Duration.ofSeconds(1), Duration.ofMillis(1));
    GatewayConfig config = new GatewayConfig(1, defaultModel, settings, auth,
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models)), null);
    server = Await.result(GatewayServer.start(vertx, config, log));
    return this;
  }

  public int port() {
    return server.port();
  }

  public String baseUrl() {
    return server.baseUrl();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Everything logged so far, one JSON object per line. */
  public String log() {
    log.flush();
    return logBytes.toString(StandardCharsets.UTF_8);
  }

  public HttpResponse<String> get(String path, String... headers) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET(), headers);
  }

  public HttpResponse<String> post(String path, String json, String... headers) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)), headers);
  }

  public static String chat(String model, String extraFields) {
    String modelField = model == null ? "" : "\"model\":\"" + model + "\",";
    return "{" + modelField + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]"
        + (extraFields.isEmpty() ? "" : "," + extraFields) + "}";
  }

  private HttpResponse<String> send(HttpRequest.Builder request, String... headers) {
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("request failed: " + e, e);
    }
  }

  @Override
  public void close() {
    http.close();
    Await.result(vertx.close());
  }
}
