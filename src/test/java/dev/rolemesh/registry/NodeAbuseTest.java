package dev.rolemesh.registry;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static dev.rolemesh.testing.TestGateway.CLIENT_KEY;
import static dev.rolemesh.testing.TestGateway.NODE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.Cidr;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.NodeRegistrations;
import dev.rolemesh.testing.TestGateway;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a node key holder cannot do: register ids that cannot be deleted or that pass for others, carry more than
 * 8 KiB of metadata, or aim the gateway at link-local and cloud-metadata addresses (or, with
 * {@code auth.node_networks}, anywhere outside those networks).
 */
class NodeAbuseTest {

  private TestGateway gateway;

  private TestGateway start(AuthConfig auth) {
    gateway = new TestGateway().auth(auth).discovered("reviewer", "reviewer", ROUND_ROBIN).start();
    return gateway;
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private JsonResponse register(String body) {
    return gateway.post("/v1/nodes/register", body, "X-RoleMesh-Node-Key", NODE_KEY);
  }

  private static String legacy(String nodeId, String baseUrl) {
    return NodeRegistrations.legacy(nodeId, baseUrl, "reviewer");
  }

  private static void assertRefused(JsonResponse response, String param, String code) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
    JsonNode error = response.json().path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("param").asText()).isEqualTo(param);
    assertThat(error.path("code").asText()).isEqualTo(code);
  }

  @ParameterizedTest
  @ValueSource(strings = {".", "..", "a b", "a?b", "a#b", "a\\\\b", "a\u202Eb", "gpu\u2010box", "-a", "_a", "a%2fb",
      "a/b", "a\\u0000b"})
  void nodeIdsOutsideTheSafeCharsetAreRefused(String id) {
    start(AuthConfig.OPEN);

    assertRefused(register(legacy(id, "http://127.0.0.1:9")), "node_id", "invalid_request");
    assertThat(gateway.get("/v1/nodes").json().path("data")).isEmpty();
  }

  @Test
  void everyAcceptedIdCanBeDeletedByName() {
    start(AuthConfig.OPEN);
    String id = "gpu-box_1.lan:8091@Rack2";

    assertThat(register(legacy(id, "http://127.0.0.1:9")).statusCode()).isEqualTo(200);
    JsonResponse deleted = gateway.delete("/v1/nodes/" + id, "X-RoleMesh-Node-Key", NODE_KEY);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    assertThat(gateway.get("/v1/nodes").json().path("data")).isEmpty();
  }

  @Test
  void metaIsCappedAt8KiBPerNodeTheFieldThatCrossesTheLineNamed() {
    start(AuthConfig.OPEN);
    // {"x":"..."} is 8 bytes of JSON around the padding.
    String fits = "{\"x\":\"" + "y".repeat(NodeJson.MAX_META_BYTES - 8) + "\"}";
    String over = "{\"x\":\"" + "y".repeat(NodeJson.MAX_META_BYTES - 7) + "\"}";

    assertThat(register(withMeta("a", fits, "{}")).statusCode()).isEqualTo(422);
    assertThat(register(withMeta("a", fits.replace("yy\"", "\""), "{}")).statusCode()).isEqualTo(200);
    assertRefused(register(withMeta("b", over, "{}")), "meta", "meta_too_large");
    JsonResponse together = register(withMeta("c", "{\"gpu\":\"P40\"}", fits));
    assertRefused(together, "served_models[0].meta", "meta_too_large");
    assertThat(together.json().path("error").path("message").asText()).contains("8192");
    assertThat(gateway.get("/v1/nodes").json().path("data")).hasSize(1);
  }

  /** Node meta and one served model's meta; their {} and the padding add up to the figure the test names. */
  private static String withMeta(String nodeId, String nodeMeta, String modelMeta) {
    return "{\"node_id\":\"" + nodeId + "\",\"base_url\":\"http://127.0.0.1:9\",\"served_models\":[{"
        + "\"model_id\":\"m\",\"roles\":[\"reviewer\"],\"meta\":" + modelMeta + "}],\"meta\":" + nodeMeta + "}";
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://169.254.169.254", "http://169.254.0.1:8080/llm", "http://[fe80::1]:8080",
      "http://[febf::1]", "http://[fd00:ec2::254]", "http://metadata.google.internal",
      "http://METADATA.Google.Internal.:80", "http://[::ffff:169.254.169.254]", "http://2852039166",
      "http://0xa9fea9fe"})
  void linkLocalAndCloudMetadataAddressesAreRefused(String baseUrl) {
    start(AuthConfig.OPEN);

    assertRefused(register(legacy("n1", baseUrl)), "base_url", "base_url_refused");
    assertThat(gateway.get("/v1/nodes").json().path("data")).isEmpty();
  }

  /** Numeric forms java.net.URI does not take for a host at all (the last label starts with a digit). */
  @ParameterizedTest
  @ValueSource(strings = {"http://0251.0376.0251.0376", "http://0xa9.0xfe.0xa9.0xfe", "http://169.254.169.254.:80"})
  void numericHostsThatAreNotUrlsAreRefusedAsSuch(String baseUrl) {
    start(AuthConfig.OPEN);

    JsonResponse refused = register(legacy("n1", baseUrl));
    assertRefused(refused, "base_url", "invalid_request");
    assertThat(refused.json().path("error").path("message").asText()).contains("must be an http(s) URL");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:9", "http://10.0.0.12:8091", "http://[fd00::12]:8091",
      "http://gpu-box.local:8091", "http://169.255.0.1", "http://[fec0::1]"})
  void otherAddressesAreFineWithoutAnAllowList(String baseUrl) {
    start(AuthConfig.OPEN);

    assertThat(register(legacy("n1", baseUrl)).statusCode()).isEqualTo(200);
  }

  @Test
  void nodeNetworksAdmitOnlyAddressesInside() {
    start(new AuthConfig(List.of(CLIENT_KEY), List.of(NODE_KEY), List.of(),
        List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00:abcd::/32"))));

    assertThat(register(legacy("in-v4", "http://10.20.30.40:8091")).statusCode()).isEqualTo(200);
    assertThat(register(legacy("in-v6", "http://[fd00:abcd::7]:8091")).statusCode()).isEqualTo(200);
    assertRefused(register(legacy("out", "http://192.168.1.5:8091")), "base_url", "base_url_refused");
    assertRefused(register(legacy("loopback", "http://127.0.0.1:8091")), "base_url", "base_url_refused");
    JsonResponse name = register(legacy("by-name", "http://gpu-box.lan:8091"));
    assertRefused(name, "base_url", "base_url_refused");
    assertThat(name.json().path("error").path("message").asText()).contains("node_networks");
    assertThat(gateway.get("/v1/nodes", "X-Api-Key", CLIENT_KEY).json().path("data")).hasSize(2);
  }

  @Test
  void aLongNodeListArrivesWholeAndInOrder() {
    start(AuthConfig.OPEN);
    String meta = "{\"notes\":\"" + "z".repeat(4000) + "\"}";
    for (int i = 0; i < 300; i++) {
      String id = String.format("node-%03d", i);
      assertThat(register(withMeta(id, meta, "{}")).statusCode()).isEqualTo(200);
    }

    JsonNode list = gateway.get("/v1/nodes").json();

    assertThat(list.path("object").asText()).isEqualTo("list");
    assertThat(list.path("stale_after_s").asInt()).isEqualTo(30);
    assertThat(list.path("data")).hasSize(300);
    assertThat(list.path("data").get(299).path("node_id").asText()).isEqualTo("node-299");
    assertThat(list.path("data").get(299).path("meta").path("notes").asText()).hasSize(4000);
    assertThat(list.path("data").get(0).path("state").asText()).isEqualTo("fresh");
  }
}
