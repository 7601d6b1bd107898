package dev.rolemesh.api;

import static dev.rolemesh.testing.TestGateway.NODE_KEY;
import static dev.rolemesh.testing.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.ClientTls;
import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.ServerTls;
import dev.rolemesh.config.UpstreamUrls;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.HttpCalls;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.NodeRegistrations;
import dev.rolemesh.testing.TestCertificates;
import dev.rolemesh.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway on TLS with certificates from a throwaway CA: curl and the OpenAI SDK over https, an upstream over
 * https trusted through a model's {@code tls.ca_file}, mutual TLS on the node calls, certificates re-read on reload.
 */
class TlsTest {

  private static final String CLIENT_KEY = "tls-client-key";

  @TempDir static Path dir;
  private static TestCertificates ca;
  private static TestGateway upstream;
  private static TestGateway gateway;

  @BeforeAll
  static void start() {
    ca = TestCertificates.newCa(dir, "test-ca");
    ca.server("gateway");
    ca.client("node");
    TestCertificates.newCa(dir, "rogue-ca").client("rogue");

    // An https upstream: a second gateway on TLS in front of a simulator.
    upstream = new TestGateway().tls(serverTls(null), ca.sslContext(null));
    upstream.proxy("writer", upstream.simulator(SimOptions.defaults().withAlias("writer-gguf"))).start();

    gateway = new TestGateway()
        .auth(new AuthConfig(List.of(CLIENT_KEY), List.of(NODE_KEY)))
        .tls(serverTls(ca.caFile()), ca.sslContext(null));
    gateway.proxy("planner", gateway.simulator(SimOptions.defaults().withAlias("planner-gguf")))
        .model(proxyTo("remote", upstream.baseUrl(), new ClientTls(ca.caFile(), null, null)))
        .model(proxyTo("untrusted", upstream.baseUrl(), null))
        .discovered("reviewer", "reviewer", ModelTarget.Strategy.ROUND_ROBIN)
        .start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  private static ServerTls serverTls(Path clientCa) {
    return new ServerTls(ca.certFile("gateway"), ca.keyFile("gateway"), clientCa,
        clientCa == null ? Set.of() : Set.of(ServerTls.ClientCertScope.NODES));
  }

  private static ModelConfig proxyTo(String alias, String url, ClientTls tls) {
    return new ModelConfig(alias, alias, Map.of("model", "writer"), TestGateway.FAST,
        new ModelTarget.Proxy(UpstreamUrls.normalize(url), null, tls));
  }

  @Test
  void curlChatsOverHttpsTrustingThePrivateCaAndRefusesWithoutIt() throws Exception {
    Curl answer = curl("--cacert", ca.caFile().toString(), "-H", "Authorization: Bearer " + CLIENT_KEY,
        "-H", "Content-Type: application/json", "-d", chat("planner", ""),
        gateway.baseUrl() + "/v1/chat/completions");

    assertThat(gateway.baseUrl()).startsWith("https://127.0.0.1:");
    assertThat(answer.exit()).isZero();
    assertThat(answer.output()).startsWith("HTTP/1.1 200").contains("\"object\":\"chat.completion\"");
    // 60: the peer certificate cannot be authenticated with the known CA certificates.
    assertThat(curl(gateway.baseUrl() + "/health").exit()).isEqualTo(60);
  }

  @Test
  void theOpenAiSdkListsChatsAndStreamsOverHttpsThroughAnHttpsUpstream() {
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey(CLIENT_KEY)
        .sslSocketFactory(ca.sslContext(null).getSocketFactory()).trustManager(ca.trustManager())
        .build();
    try {
      assertThat(client.models().list().data().stream().map(Model::id).toList()).contains("planner", "remote");
      ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
          .model("remote").addUserMessage("Say hello").maxCompletionTokens(8).build());
      assertThat(completion.model()).isEqualTo("writer-gguf");
      int chunks = 0;
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
          ChatCompletionCreateParams.builder().model("remote").addUserMessage("Tell a story").maxTokens(10).build())) {
        for (ChatCompletionChunk ignored : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
          chunks++;
        }
      }
      assertThat(chunks).isGreaterThan(10);
    } finally {
      client.close();
    }
  }

  @Test
  void anHttpsUpstreamSignedByAnUnknownCaIsAFailedBackendNotATrustedOne() {
    JsonResponse answer = gateway.postChat("untrusted", "Authorization", "Bearer " + CLIENT_KEY);

    assertThat(answer.statusCode()).isEqualTo(502);
    assertThat(answer.body()).doesNotContain("writer-gguf");
  }

  @Test
  void nodeCallsNeedAClientCertificateFromTheClientCa() throws Exception {
    String body = NodeRegistrations.legacy("tls-node", "http://127.0.0.1:9", "reviewer");
    JsonResponse withoutCertificate = gateway.post("/v1/nodes/register", body, "X-RoleMesh-Node-Key", NODE_KEY);
    assertThat(withoutCertificate.statusCode()).isEqualTo(401);
    assertThat(withoutCertificate.json().get("error").get("message").asText())
        .startsWith("A client certificate signed by the gateway's client CA");

    // A certificate from another CA does not count (the JDK client does not even offer it: the gateway names the
    // CA it accepts).
    try (HttpCalls rogue = HttpCalls.https(gateway::baseUrl, ca.sslContext("rogue"))) {
      assertThat(rogue.post("/v1/nodes/register", body, "X-RoleMesh-Node-Key", NODE_KEY).statusCode())
          .isEqualTo(401);
    }
    try (HttpCalls node = HttpCalls.https(gateway::baseUrl, ca.sslContext("node"))) {
      assertThat(node.post("/v1/nodes/register", body).statusCode()).isEqualTo(401);
      assertThat(node.post("/v1/nodes/register", body, "X-RoleMesh-Node-Key", NODE_KEY).statusCode())
          .isEqualTo(200);
    }
    // Clients and operators need no certificate: only the node calls do.
    assertThat(gateway.get("/v1/nodes", "X-Api-Key", CLIENT_KEY).body()).contains("tls-node");
    assertThat(gateway.postChat("planner", "X-Api-Key", CLIENT_KEY).statusCode()).isEqualTo(200);
  }

  @Test
  void aRenewedCertificateIsServedAfterAReload() throws Exception {
    Path certs = Files.createDirectories(dir.resolve("renewal"));
    Path cert = Files.copy(ca.certFile("gateway"), certs.resolve("live.pem"));
    Path key = Files.copy(ca.keyFile("gateway"), certs.resolve("live.key"));
    try (TestGateway renewing = new TestGateway()
        .tls(new ServerTls(cert, key, null, Set.of()), ca.sslContext(null))) {
      renewing.proxy("planner", renewing.simulator(SimOptions.defaults())).start();
      assertThat(servedName(renewing)).isEqualTo("CN=gateway");

      ca.server("gateway-renewed");
      Files.copy(ca.certFile("gateway-renewed"), cert, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(ca.keyFile("gateway-renewed"), key, StandardCopyOption.REPLACE_EXISTING);
      assertThat(Await.result(renewing.server().reloadCertificates())).isTrue();

      assertThat(servedName(renewing)).isEqualTo("CN=gateway-renewed");
    }
  }

  /** The subject of the certificate a new connection is served. */
  private static String servedName(TestGateway target) {
    try (HttpCalls fresh = HttpCalls.https(target::baseUrl, ca.sslContext(null))) {
      JsonResponse health = fresh.get("/health");
      try {
        return ((X509Certificate) health.sslSession().orElseThrow().getPeerCertificates()[0])
            .getSubjectX500Principal().getName();
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private record Curl(int exit, String output) {}

  private static Curl curl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "60"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
    return new Curl(process.exitValue(), output);
  }
}
