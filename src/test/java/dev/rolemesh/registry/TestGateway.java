package dev.rolemesh.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolemesh.api.GatewayServer;
import dev.rolemesh.config.ConfigLoader;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.observability.JsonLog;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real gateway on an ephemeral port, configured from YAML, with a blocking HTTP client for the test thread. */
final class TestGateway implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String NODE_KEY = "node-secret";
  static final String CLIENT_KEY = "client-secret";

  private final GatewayServer server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** What came back; {@code json} is null when the body is not JSON. */
  record Response(int status, String body, JsonNode json) {}

  private TestGateway(GatewayServer server) {
    this.server = server;
  }

  /** {@code models} is the YAML under {@code models:}; both kinds of keys are required. */
  static TestGateway start(Vertx vertx, Path dir, String defaultModel, String models, RegistrySettings settings)
      throws Exception {
    String yaml = "version: 1\ndefault_model: " + defaultModel + "\n"
        + "gateway: {host: 127.0.0.1, port: 0}\n"
        + "auth: {client_api_keys: [" + CLIENT_KEY + "], node_api_keys: [" + NODE_KEY + "]}\n"
        + "models:\n" + models;
    Path file = Files.writeString(Files.createDirectories(dir).resolve("models.yaml"), yaml);
    GatewayConfig config = ConfigLoader.load(file, null, Map.of(), warning -> {});
    return new TestGateway(GatewayServer.start(vertx, config, JsonLog.stdout(), settings).await());
  }

  Response get(String path, String... headers) throws IOException, InterruptedException {
    return send(request(path, headers).GET());
  }

  Response post(String path, String body, String... headers) throws IOException, InterruptedException {
    return send(request(path, headers).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  Response delete(String path, String... headers) throws IOException, InterruptedException {
    return send(request(path, headers).DELETE());
  }

  /** Registers with the node key in X-RoleMesh-Node-Key and insists on success. */
  void register(String body) throws IOException, InterruptedException {
    Response response = post("/v1/nodes/register", body, "X-RoleMesh-Node-Key", NODE_KEY);
    if (response.status() != 200) {
      throw new AssertionError("registration failed: " + response);
    }
  }

  Response chat(String model, String... headers) throws IOException, InterruptedException {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = "Bearer " + CLIENT_KEY;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return post("/v1/chat/completions",
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", all);
  }

  String baseUrl() {
    return server.baseUrl();
  }

  @Override
  public void close() {
    server.close().await();
  }

  private HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(server.baseUrl() + path));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder;
  }

  private Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json;
    try {
      json = JSON.readTree(response.body());
    } catch (IOException e) {
      json = null;
    }
    return new Response(response.statusCode(), response.body(), json);
  }
}
