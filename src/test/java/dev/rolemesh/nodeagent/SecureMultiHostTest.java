package dev.rolemesh.nodeagent;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static dev.rolemesh.testing.TestGateway.CLIENT_KEY;
import static dev.rolemesh.testing.TestGateway.NODE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.ClientTls;
import dev.rolemesh.config.ServerTls;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.HttpCalls;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.TestCertificates;
import dev.rolemesh.testing.TestGateway;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-host path with everything on: client → https gateway → mutual TLS and a key → https node agent →
 * llama-server (the simulator), and the agent registering over mutual TLS. One throwaway CA signs every certificate.
 */
class SecureMultiHostTest {

  private static final String AGENT_KEY = "agent-secret";
  private static final String CHAT = "{\"model\":\"planner-gguf\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @RegisterExtension final AgentHarness harness = new AgentHarness();
  @TempDir Path dir;
  private TestCertificates ca;
  private TestGateway gateway;

  @BeforeEach
  void start() throws Exception {
    ca = TestCertificates.newCa(dir, "team-ca");
    ca.server("gateway");
    ca.server("agent");
    ca.client("gateway-client");
    ca.client("agent-client");
    gateway = new TestGateway()
        .auth(new AuthConfig(new AuthConfig(List.of(CLIENT_KEY), List.of()).clientKeys(), List.of(NODE_KEY),
            AGENT_KEY))
        .tls(new ServerTls(ca.certFile("gateway"), ca.keyFile("gateway"), ca.caFile(),
            Set.of(ServerTls.ClientCertScope.NODES)), ca.sslContext(null))
        .nodeTls(new ClientTls(ca.caFile(), ca.certFile("gateway-client"), ca.keyFile("gateway-client")))
        .discovered("planner", "planner", ROUND_ROBIN)
        .start();
    harness.listen("tls: {cert_file: '" + ca.certFile("agent") + "', key_file: '" + ca.keyFile("agent")
        + "', client_ca_file: '" + ca.caFile() + "'}");
    harness.start("gateway: {url: '" + gateway.baseUrl() + "', node_key: " + NODE_KEY + ", tls: {ca_file: '"
        + ca.caFile() + "', cert_file: '" + ca.certFile("agent-client") + "', key_file: '" + ca.keyFile("agent-client")
        + "'}}\nauth: {api_keys: [" + AGENT_KEY + "]}\nmodels:\n"
        + "  - {model_id: planner-gguf, path: " + harness.weights("planner.gguf") + ", roles: [planner]}\n");
    Await.until("the node to register over mutual TLS",
        () -> gateway.get("/v1/nodes", "X-Api-Key", CLIENT_KEY).body().contains("\"test-node\""));
  }

  @AfterEach
  void stop() {
    harness.stopAgent();
    gateway.close();
  }

  private String agentUrl() {
    return harness.agent().baseUrl().toString();
  }

  @Test
  void aClientReachesTheModelThroughTlsAtEveryHop() {
    assertThat(agentUrl()).startsWith("https://127.0.0.1:");

    JsonResponse answer = gateway.postChat("planner", "Authorization", "Bearer " + CLIENT_KEY);

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.json().get("model").asText()).isEqualTo("planner-gguf");
  }

  @Test
  void theAgentRefusesCallersWithoutItsCertificateOrItsKey() throws Exception {
    try (HttpCalls noCertificate = HttpCalls.https(this::agentUrl, ca.sslContext(null))) {
      assertThatThrownBy(() -> noCertificate.post("/v1/chat/completions", CHAT, "X-Api-Key", AGENT_KEY))
          .hasRootCauseInstanceOf(IOException.class);
    }
    try (HttpCalls certificateOnly = HttpCalls.https(this::agentUrl, ca.sslContext("gateway-client"))) {
      assertThat(certificateOnly.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(401);
      assertThat(certificateOnly.get("/health").statusCode()).isEqualTo(200);
      assertThat(certificateOnly.post("/v1/chat/completions", CHAT, "X-Api-Key", AGENT_KEY).statusCode())
          .isEqualTo(200);
    }
  }
}
