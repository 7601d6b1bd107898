package dev.rolemesh.registry;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static dev.rolemesh.testing.TestGateway.CLIENT_KEY;
import static dev.rolemesh.testing.TestGateway.NODE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node API over real sockets: auth, validation, the operator view, and staleness seen through the gateway. */
class NodeApiTest {

  private static final String LEGACY = "{\"node_id\":\"legacy-1\",\"base_url\":\"http://127.0.0.1:9\","
      + "\"roles\":[\"reviewer\"]}";
  private static final String SERVED = """
      {"node_id":"gpu-box-1","base_url":"http://127.0.0.1:10",
       "served_models":[{"model_id":"qwen3-8b","roles":["reviewer","planner"],"meta":{"quant":"Q5_K_M"}}],
       "meta":{"gpu":"Tesla P40"}}""";

  @TempDir
  Path dir;

  private final TestClock clock = new TestClock();
  private TestGateway gateway;

  @BeforeEach
  void start() {
    gateway = new TestGateway().clientAndNodeKeys()
        .registry(new RegistrySettings(dir.resolve("state"), Duration.ofSeconds(30), clock))
        .discovered("reviewer", "reviewer", ROUND_ROBIN)
        .discovered("planner", "planner", ROUND_ROBIN)
        .start();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private JsonNode nodes() throws Exception {
    JsonResponse response = gateway.get("/v1/nodes", "X-Api-Key", CLIENT_KEY);
    assertThat(response.statusCode()).isEqualTo(200);
    return response.json();
  }

  private static List<String> ids(JsonNode array, String field) {
    List<String> ids = new ArrayList<>();
    array.forEach(entry -> ids.add(entry.path(field).asText()));
    return ids;
  }

  @Test
  void bothSchemasRegisterWithEitherHeaderForm() throws Exception {
    JsonResponse legacy = gateway.post("/v1/nodes/register", LEGACY, "X-RoleMesh-Node-Key", NODE_KEY);
    JsonResponse served = gateway.post("/v1/nodes/register", SERVED, "Authorization", "Bearer " + NODE_KEY);

    assertThat(legacy.statusCode()).isEqualTo(200);
    assertThat(legacy.json().path("ok").asBoolean()).isTrue();
    assertThat(legacy.json().path("node_id").asText()).isEqualTo("legacy-1");
    assertThat(legacy.json().path("state").asText()).isEqualTo("fresh");
    assertThat(legacy.json().path("stale_after_s").asInt()).isEqualTo(30);
    assertThat(served.statusCode()).isEqualTo(200);

    JsonNode list = nodes();
    assertThat(list.path("stale_after_s").asInt()).isEqualTo(30);
    assertThat(ids(list.path("data"), "node_id")).containsExactly("gpu-box-1", "legacy-1");
    JsonNode box = list.path("data").get(0);
    assertThat(box.path("state").asText()).isEqualTo("fresh");
    assertThat(box.path("base_url").asText()).isEqualTo("http://127.0.0.1:10");
    assertThat(box.path("roles").toString()).isEqualTo("[\"reviewer\",\"planner\"]");
    assertThat(box.path("served_models").get(0).path("model_id").asText()).isEqualTo("qwen3-8b");
    assertThat(box.path("served_models").get(0).path("meta").path("quant").asText()).isEqualTo("Q5_K_M");
    assertThat(box.path("meta").path("gpu").asText()).isEqualTo("Tesla P40");
    assertThat(box.path("age_s").asDouble()).isZero();
    assertThat(box.path("last_seen").asText()).isEqualTo(clock.instant().toString());
    JsonNode legacyNode = list.path("data").get(1);
    assertThat(legacyNode.path("served_models").get(0).path("model_id").asText()).isEqualTo("reviewer");
  }

  @Test
  void nodeCallsNeedANodeKeyAndAClientKeyIsNotOne() throws Exception {
    assertThat(gateway.post("/v1/nodes/register", LEGACY).statusCode()).isEqualTo(401);
    assertThat(gateway.post("/v1/nodes/register", LEGACY, "X-RoleMesh-Node-Key", "wrong").statusCode()).isEqualTo(401);
    assertThat(gateway.post("/v1/nodes/register", LEGACY, "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
    JsonResponse asClient = gateway.post("/v1/nodes/register", LEGACY, "Authorization", "Bearer " + CLIENT_KEY);
    assertThat(asClient.statusCode()).isEqualTo(401);
    assertThat(asClient.json().path("error").path("type").asText()).isEqualTo("authentication_error");
    assertThat(gateway.post("/v1/nodes/register", LEGACY, "X-Api-Key", CLIENT_KEY).statusCode()).isEqualTo(401);
    assertThat(gateway.post("/v1/nodes/heartbeat", "{\"node_id\":\"legacy-1\"}", "X-Api-Key", CLIENT_KEY)
        .statusCode()).isEqualTo(401);
    assertThat(gateway.delete("/v1/nodes/legacy-1", "Authorization", "Bearer " + CLIENT_KEY).statusCode())
        .isEqualTo(401);
    assertThat(gateway.get("/v1/nodes", "X-Api-Key", CLIENT_KEY).json().path("data")).isEmpty();
  }

  @Test
  void aNodeKeyCannotCallTheInferenceEndpointsButMayReadTheNodeList() throws Exception {
    gateway.register(LEGACY);

    assertThat(gateway.post("/v1/chat/completions", "{\"model\":\"reviewer\",\"messages\":[]}",
        "Authorization", "Bearer " + NODE_KEY).statusCode()).isEqualTo(401);
    assertThat(gateway.post("/v1/chat/completions", "{\"model\":\"reviewer\",\"messages\":[]}",
        "X-RoleMesh-Node-Key", NODE_KEY).statusCode()).isEqualTo(401);
    assertThat(gateway.get("/v1/models", "Authorization", "Bearer " + NODE_KEY).statusCode()).isEqualTo(401);

    assertThat(gateway.get("/v1/nodes", "X-RoleMesh-Node-Key", NODE_KEY).statusCode()).isEqualTo(200);
    assertThat(gateway.get("/v1/nodes", "Authorization", "Bearer " + NODE_KEY).statusCode()).isEqualTo(200);
    assertThat(gateway.get("/v1/nodes", "Authorization", "Bearer " + CLIENT_KEY).statusCode()).isEqualTo(200);
    assertThat(gateway.get("/v1/nodes").statusCode()).isEqualTo(401);
    assertThat(gateway.get("/v1/nodes", "X-Api-Key", "wrong").statusCode()).isEqualTo(401);
  }

  @Test
  void badRegistrationsGetAnOpenAiErrorNamingTheField() throws Exception {
    assertError(post("{\"base_url\":\"http://h:1\",\"roles\":[\"r\"]}"), 422, "node_id");
    assertError(post("{\"node_id\":\"n\",\"roles\":[\"r\"]}"), 422, "base_url");
    assertError(post("{\"node_id\":\"n\",\"base_url\":\"10.0.0.1:8000\",\"roles\":[\"r\"]}"), 422, "base_url");
    assertError(post("{\"node_id\":\"n\",\"base_url\":\"http://h:1\",\"roles\":[]}"), 422, "roles");
    assertError(post("{\"node_id\":\"n\",\"base_url\":\"http://h:1\",\"served_models\":[{\"model_id\":\"m\","
        + "\"roles\":[]}]}"), 422, "served_models[0].roles");
    assertError(post("{\"node_id\": \"n\", "), 400, null);
    assertError(post(""), 400, null);

    JsonResponse tooBig = post("{\"node_id\":\"n\",\"base_url\":\"http://h:1\",\"roles\":[\"r\"],\"meta\":{\"x\":\""
        + "y".repeat(NodeRoutes.MAX_BODY_BYTES) + "\"}}");
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(tooBig.json().path("error").path("message").asText())
        .contains(String.valueOf(NodeRoutes.MAX_BODY_BYTES));

    assertThat(nodes().path("data")).isEmpty();
  }

  @Test
  void heartbeatAndDeregisterForAnUnknownNodeSayUnknownNode() throws Exception {
    JsonResponse heartbeat = gateway.post("/v1/nodes/heartbeat", "{\"node_id\":\"ghost\"}",
        "X-RoleMesh-Node-Key", NODE_KEY);
    assertError(heartbeat, 404, "node_id");
    assertThat(heartbeat.json().path("error").path("code").asText()).isEqualTo("unknown_node");
    assertError(gateway.post("/v1/nodes/heartbeat", "{}", "X-RoleMesh-Node-Key", NODE_KEY), 422, "node_id");

    gateway.register(LEGACY);
    JsonResponse deleted = gateway.delete("/v1/nodes/legacy-1", "X-RoleMesh-Node-Key", NODE_KEY);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(deleted.json().path("deregistered").asBoolean()).isTrue();
    assertThat(nodes().path("data")).isEmpty();
    JsonResponse again = gateway.delete("/v1/nodes/legacy-1", "X-RoleMesh-Node-Key", NODE_KEY);
    assertThat(again.json().path("error").path("code").asText()).isEqualTo("unknown_node");
  }

  @Test
  void aSilentNodeGoesStaleEverywhereAndAHeartbeatBringsItBack() throws Exception {
    gateway.register(SERVED);
    assertThat(gateway.get("/ready").statusCode()).isEqualTo(200);
    assertThat(ids(models().path("data"), "id")).containsExactly("reviewer", "planner");

    clock.advance(Duration.ofSeconds(45));

    JsonNode node = nodes().path("data").get(0);
    assertThat(node.path("state").asText()).isEqualTo("stale");
    assertThat(node.path("age_s").asDouble()).isEqualTo(45.0);
    JsonNode models = models();
    assertThat(models.path("data")).isEmpty();
    JsonNode unavailable = models.path("rolemesh").path("unavailable_models");
    assertThat(ids(unavailable, "id")).containsExactly("reviewer", "planner");
    assertThat(unavailable.get(0).path("reason").asText()).isEqualTo("no fresh node serves role 'reviewer'"
        + " (1 stale, no heartbeat within 30s: gpu-box-1 last seen 45s ago)");
    JsonResponse ready = gateway.get("/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.json().path("reason").asText()).contains("gpu-box-1 last seen 45s ago");
    JsonResponse chat = gateway.postChat("reviewer", "Authorization", "Bearer " + CLIENT_KEY);
    assertThat(chat.statusCode()).isEqualTo(503);
    assertThat(chat.json().path("error").path("message").asText()).contains("gpu-box-1 last seen 45s ago");

    JsonResponse heartbeat = gateway.post("/v1/nodes/heartbeat", "{\"node_id\":\"gpu-box-1\",\"in_flight\":1,"
        + "\"free_slots\":3}", "Authorization", "Bearer " + NODE_KEY);
    assertThat(heartbeat.statusCode()).isEqualTo(200);
    assertThat(heartbeat.json().path("state").asText()).isEqualTo("fresh");

    node = nodes().path("data").get(0);
    assertThat(node.path("state").asText()).isEqualTo("fresh");
    assertThat(node.path("reported_load").path("free_slots").asInt()).isEqualTo(3);
    assertThat(ids(models().path("data"), "id")).containsExactly("reviewer", "planner");
    assertThat(gateway.get("/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void theRegistrySurvivesAGatewayRestartWithItsLastSeen() throws Exception {
    gateway.register(SERVED);
    clock.advance(Duration.ofSeconds(20));
    gateway.register(LEGACY);
    String lastSeen = nodes().path("data").get(0).path("last_seen").asText();

    gateway.restart();

    JsonNode restored = nodes().path("data");
    assertThat(ids(restored, "node_id")).containsExactly("gpu-box-1", "legacy-1");
    assertThat(restored.get(0).path("last_seen").asText()).isEqualTo(lastSeen);
    assertThat(restored.get(0).path("served_models").get(0).path("model_id").asText()).isEqualTo("qwen3-8b");
    assertThat(ids(restored, "state")).containsExactly("fresh", "fresh");
    clock.advance(Duration.ofSeconds(15));
    assertThat(ids(nodes().path("data"), "state")).containsExactly("stale", "fresh");
    assertThat(ids(models().path("data"), "id")).containsExactly("reviewer");
  }

  @Test
  void aRegistrationThatCannotBeSavedIsNotAcknowledged() throws Exception {
    // A directory where the save's temporary file goes makes every save fail (root ignores file permissions).
    Path blocker = Files.createDirectories(dir.resolve("state").resolve(RegistryFile.NAME + ".tmp"));

    JsonResponse unsaved = post(LEGACY);
    assertThat(unsaved.statusCode()).as(unsaved.body()).isEqualTo(503);
    assertThat(unsaved.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(unsaved.json().path("error").path("code").asText()).isEqualTo("registry_unsaved");
    assertThat(unsaved.json().path("error").path("message").asText()).doesNotContain(dir.toString());

    Files.delete(blocker);
    assertThat(post(LEGACY).statusCode()).isEqualTo(200);
    assertThat(RegistryFile.parse(Files.readAllBytes(dir.resolve("state").resolve(RegistryFile.NAME))))
        .extracting(Node::nodeId).containsExactly("legacy-1");
  }

  @Test
  void aDiscoveredAliasWithNoNodeExplainsItself() throws Exception {
    JsonResponse chat = gateway.postChat("planner", "Authorization", "Bearer " + CLIENT_KEY);

    assertThat(chat.statusCode()).isEqualTo(503);
    assertThat(chat.json().path("error").path("message").asText())
        .isEqualTo("Model 'planner' cannot serve now: no fresh node serves role 'planner' (no node has registered"
            + " for it)");
  }

  private JsonNode models() throws Exception {
    return gateway.get("/v1/models", "X-Api-Key", CLIENT_KEY).json();
  }

  private JsonResponse post(String body) {
    return gateway.post("/v1/nodes/register", body, "X-RoleMesh-Node-Key", NODE_KEY);
  }

  private static void assertError(JsonResponse response, int status, String param) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode error = response.json().path("error");
    assertThat(error.path("message").asText()).isNotBlank().doesNotContain("Exception");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.has("code")).isTrue();
    if (param == null) {
      assertThat(error.path("param").isNull()).isTrue();
    } else {
      assertThat(error.path("param").asText()).isEqualTo(param);
    }
  }
}
