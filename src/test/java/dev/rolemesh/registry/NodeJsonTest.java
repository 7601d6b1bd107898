package dev.rolemesh.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolemesh.http.ApiError;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeJsonTest {

  private static Registration register(String json) throws NodeJson.Invalid {
    return NodeJson.registration(json.getBytes(StandardCharsets.UTF_8));
  }

  private static ApiError rejection(String json) {
    try {
      register(json);
    } catch (NodeJson.Invalid invalid) {
      return invalid.toApiError();
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void servedModelsSchemaKeepsModelIdsRolesAndMeta() throws Exception {
    Registration r = register("""
        {"node_id":"gpu-box-1","base_url":"http://10.0.0.12:8014/",
         "served_models":[
           {"model_id":"qwen3-8b","roles":["reviewer","planner","reviewer"],"meta":{"quant":"Q5_K_M"}},
           {"model_id":"qwen2.5-coder-14b","roles":["coder"]}],
         "meta":{"gpu":"Tesla P40"}}""");

    assertThat(r.nodeId()).isEqualTo("gpu-box-1");
    assertThat(r.baseUrl()).hasToString("http://10.0.0.12:8014");
    assertThat(r.servedModels()).extracting(ServedModel::modelId).containsExactly("qwen3-8b", "qwen2.5-coder-14b");
    assertThat(r.servedModels().getFirst().roles()).containsExactly("reviewer", "planner");
    assertThat(r.servedModels().getFirst().meta().path("quant").asText()).isEqualTo("Q5_K_M");
    assertThat(r.servedModels().get(1).meta().isObject()).isTrue();
    assertThat(r.meta().path("gpu").asText()).isEqualTo("Tesla P40");
  }

  @Test
  void legacyRolesServeEachRoleUnderItsOwnName() throws Exception {
    Registration r = register("{\"node_id\":\"n1\",\"base_url\":\"https://Box.lan\",\"roles\":[\"writer\",\"coder\"]}");

    assertThat(r.baseUrl()).hasToString("https://Box.lan");
    assertThat(r.servedModels()).containsExactly(
        new ServedModel("writer", List.of("writer"), NodeJson.JSON.createObjectNode()),
        new ServedModel("coder", List.of("coder"), NodeJson.JSON.createObjectNode()));
  }

  @Test
  void servedModelsWinOverLegacyRolesAndAnEmptyListFallsBackToThem() throws Exception {
    assertThat(register("""
        {"node_id":"n","base_url":"http://h:1","roles":["old"],
         "served_models":[{"model_id":"m","roles":["new"]}]}""").servedModels())
        .extracting(ServedModel::modelId).containsExactly("m");
    assertThat(register("{\"node_id\":\"n\",\"base_url\":\"http://h:1\",\"roles\":[\"old\"],\"served_models\":[]}")
        .servedModels()).extracting(ServedModel::modelId).containsExactly("old");
  }

  @Test
  void malformedJsonIs400WithoutParam() {
    ApiError error = rejection("{\"node_id\": ");
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.code()).isEqualTo("invalid_json");

    assertThat(rejection("[1,2]").status()).isEqualTo(400);
    assertThat(rejection("").status()).isEqualTo(400);
    assertThat(rejection("{\"node_id\":\"a\"} trailing").status()).isEqualTo(400);
  }

  @Test
  void missingFieldsAre422NamingTheField() {
    assertThat(rejection("{\"base_url\":\"http://h:1\",\"roles\":[\"r\"]}"))
        .extracting(ApiError::status, ApiError::param, ApiError::type)
        .containsExactly(422, "node_id", "invalid_request_error");
    assertThat(rejection("{\"node_id\":\"n\",\"roles\":[\"r\"]}").param()).isEqualTo("base_url");
    assertThat(rejection("{\"node_id\":\"n\",\"base_url\":\"http://h:1\"}").param()).isEqualTo("roles");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.12:8014", "ftp://h:21", "http://", "http://h:1?x=1",
      "http://h:0", "http://h:99999", "http://h:1#frag", "http://bad host", "h"})
  void baseUrlMustBeHttpHostAndPort(String url) {
    ApiError error = rejection("{\"node_id\":\"n\",\"base_url\":\"" + url + "\",\"roles\":[\"r\"]}");
    assertThat(error.status()).isEqualTo(422);
    assertThat(error.param()).isEqualTo("base_url");
    assertThat(error.message()).contains(url);
  }

  @Test
  void credentialsInBaseUrlAreRejectedWithoutEchoingThem() {
    ApiError error = rejection("{\"node_id\":\"n\",\"base_url\":\"http://user:pw@h:1\",\"roles\":[\"r\"]}");
    assertThat(error.status()).isEqualTo(422);
    assertThat(error.param()).isEqualTo("base_url");
    assertThat(error.message()).contains("user:password").doesNotContain("pw@");
  }

  @Test
  void baseUrlTakesAPathPrefixAndLosesATrailingV1LikeProxyUrl() throws Exception {
    assertThat(register("{\"node_id\":\"n\",\"base_url\":\"http://h:1/v1\",\"roles\":[\"r\"]}").baseUrl())
        .hasToString("http://h:1");
    assertThat(register("{\"node_id\":\"n\",\"base_url\":\"http://h:1/llm/v1/\",\"roles\":[\"r\"]}").baseUrl())
        .hasToString("http://h:1/llm");
  }

  @Test
  void nodeIdsAreLettersDigitsAndAFewPunctuationMarks() throws Exception {
    assertThat(register("{\"node_id\":\"Rack2:gpu-box_1.lan@eu\",\"base_url\":\"http://h:1\",\"roles\":[\"r\"]}")
        .nodeId()).isEqualTo("Rack2:gpu-box_1.lan@eu");
    for (String id : new String[] {"gpu box 1", "box#1", "a/b", "..", ".hidden", "a\u202Eb"}) {
      ApiError refused = rejection("{\"node_id\":\"" + id + "\",\"base_url\":\"http://h:1\",\"roles\":[\"r\"]}");
      assertThat(refused.param()).as(id).isEqualTo("node_id");
      assertThat(refused.message()).as(id).contains("letters, digits and . _ : @ -");
    }
    assertThat(rejection("{\"node_id\":\"a\\nb\",\"base_url\":\"http://h:1\",\"roles\":[\"r\"]}").param())
        .isEqualTo("node_id");
  }

  @Test
  void emptyOrBadRolesAreRejectedWithTheirPath() {
    assertThat(rejection("{\"node_id\":\"n\",\"base_url\":\"http://h:1\",\"roles\":[]}").param()).isEqualTo("roles");
    assertThat(rejection("{\"node_id\":\"n\",\"base_url\":\"http://h:1\",\"roles\":[\"ok\",7]}").param())
        .isEqualTo("roles[1]");
    assertThat(rejection("""
        {"node_id":"n","base_url":"http://h:1","served_models":[{"model_id":"m","roles":["a"]},
         {"model_id":"m2","roles":[]}]}""").param()).isEqualTo("served_models[1].roles");
    assertThat(rejection("""
        {"node_id":"n","base_url":"http://h:1","served_models":[{"roles":["a"]}]}""").param())
        .isEqualTo("served_models[0].model_id");
    assertThat(rejection("""
        {"node_id":"n","base_url":"http://h:1","served_models":[{"model_id":"m","roles":["a"],"meta":[1]}]}""")
        .param()).isEqualTo("served_models[0].meta");
  }

  @Test
  void idsAndListsAreBounded() {
    assertThat(rejection("{\"node_id\":\"" + "x".repeat(129) + "\",\"base_url\":\"http://h:1\",\"roles\":[\"r\"]}")
        .param()).isEqualTo("node_id");
    assertThat(rejection("{\"node_id\":\"a/b\",\"base_url\":\"http://h:1\",\"roles\":[\"r\"]}").param())
        .isEqualTo("node_id");
    String manyRoles = "[" + "\"r\",".repeat(NodeJson.MAX_ROLES) + "\"last\"]";
    assertThat(rejection("{\"node_id\":\"n\",\"base_url\":\"http://h:1\",\"roles\":" + manyRoles + "}").param())
        .isEqualTo("roles");
    String manyModels = "[" + "{\"model_id\":\"m\",\"roles\":[\"r\"]},".repeat(NodeJson.MAX_SERVED_MODELS)
        + "{\"model_id\":\"m\",\"roles\":[\"r\"]}]";
    assertThat(rejection("{\"node_id\":\"n\",\"base_url\":\"http://h:1\",\"served_models\":" + manyModels + "}")
        .param()).isEqualTo("served_models");
  }

  @Test
  void heartbeatCarriesOptionalLoadFigures() throws Exception {
    Heartbeat bare = NodeJson.heartbeat("{\"node_id\":\"n\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(bare.load()).isEqualTo(new Node.Load(null, null));

    Heartbeat loaded = NodeJson.heartbeat(
        "{\"node_id\":\"n\",\"in_flight\":2,\"free_slots\":0}".getBytes(StandardCharsets.UTF_8));
    assertThat(loaded.load()).isEqualTo(new Node.Load(2, 0));

    assertThatThrownBy(() -> NodeJson.heartbeat("{\"node_id\":\"n\",\"in_flight\":-1}".getBytes()))
        .isInstanceOfSatisfying(NodeJson.Invalid.class, e -> assertThat(e.param()).isEqualTo("in_flight"));
    assertThatThrownBy(() -> NodeJson.heartbeat("{\"node_id\":\"n\",\"free_slots\":\"3\"}".getBytes()))
        .isInstanceOfSatisfying(NodeJson.Invalid.class, e -> assertThat(e.param()).isEqualTo("free_slots"));
    assertThatThrownBy(() -> NodeJson.heartbeat("{}".getBytes()))
        .isInstanceOfSatisfying(NodeJson.Invalid.class, e -> assertThat(e.param()).isEqualTo("node_id"));
  }

  @Test
  void heartbeatMayCarryEachModelsSlotsAsTheRegistrationDoes() throws Exception {
    Heartbeat agent = NodeJson.heartbeat("""
        {"node_id":"n","in_flight":1,"free_slots":3,"served_models":[
          {"model_id":"a","meta":{"parallel":4,"loaded":true}},{"model_id":"b","meta":{"loaded":false}}]}"""
        .getBytes(StandardCharsets.UTF_8));

    assertThat(agent.slots()).containsExactly(Map.entry("a", 4));
    assertThat(NodeJson.heartbeat("{\"node_id\":\"n\"}".getBytes()).slots()).isEmpty();
    assertThatThrownBy(() -> NodeJson.heartbeat("{\"node_id\":\"n\",\"served_models\":[{}]}".getBytes()))
        .isInstanceOfSatisfying(NodeJson.Invalid.class,
            e -> assertThat(e.param()).isEqualTo("served_models[0].model_id"));
    assertThatThrownBy(() -> NodeJson.heartbeat("{\"node_id\":\"n\",\"served_models\":3}".getBytes()))
        .isInstanceOfSatisfying(NodeJson.Invalid.class, e -> assertThat(e.param()).isEqualTo("served_models"));
  }

  @Test
  void storedNodeReadsBackEqual() throws Exception {
    Registration r = register("""
        {"node_id":"gpu-box-1","base_url":"http://10.0.0.12:8014",
         "served_models":[{"model_id":"qwen3-8b","roles":["reviewer"],"meta":{"quant":"Q5"}}],"meta":{"gpu":"P40"}}""");
    Node node = Node.registered(r, Instant.parse("2025-06-01T12:00:00Z"))
        .seen(Instant.parse("2025-06-01T12:00:10.5Z"), new Node.Load(1, 3));

    assertThat(NodeJson.read(NodeJson.write(node))).isEqualTo(node);
  }
}
