package dev.rolemesh.api;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.ClientKey;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.FreePorts;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.TestGateway;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What fallbacks mean beyond one request: the model list and readiness count a role whose fallback serves, a key's
 * roles bound its fallbacks too, and a reload changes the chain for the next request.
 */
class FallbackListingTest {

  private static final String SERVED_BY = "x-rolemesh-served-by";

  private final TestGateway gateway = new TestGateway();
  private final String deadUrl = "http://127.0.0.1:" + FreePorts.loopback();

  @AfterEach
  void stop() {
    gateway.close();
  }

  private Simulator sim(String alias) {
    return gateway.simulator(SimOptions.defaults().withAlias(alias));
  }

  @Test
  void aRoleWhoseFallbackServesIsListedAndReadyAndOneWhoseChainIsDownIsNot() {
    gateway.discovered("coder", "coder", ROUND_ROBIN)
        .proxy("writer", sim("writer-gguf"))
        .discovered("ghost", "ghost", ROUND_ROBIN)
        .proxy("dead", deadUrl, Map.of(), TestGateway.FAST)
        .fallbacks("coder", "writer")
        .fallbacks("ghost", "dead").start();

    JsonNode list = gateway.get("/v1/models").json();
    JsonResponse one = gateway.get("/v1/models/coder");
    JsonResponse ready = gateway.get("/ready");

    assertThat(list.path("data").findValuesAsText("id")).containsExactly("coder", "writer");
    assertThat(list.path("data").get(0).path("rolemesh").path("served_by_fallback").asText()).isEqualTo("writer");
    assertThat(list.path("data").get(1).has("rolemesh")).isFalse();
    JsonNode ghost = list.path("rolemesh").path("unavailable_models").get(0);
    assertThat(ghost.path("alias").asText()).isEqualTo("ghost");
    assertThat(ghost.path("reason").asText()).contains("; fallbacks: dead: connection refused");
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.json().path("rolemesh").path("served_by_fallback").asText()).isEqualTo("writer");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
  }

  @Test
  void aKeyNeverReachesAFallbackOutsideItsRoles() {
    Simulator writer = sim("writer-gguf");
    ClientKey coderOnly = new ClientKey(HexFormat.of().formatHex(ClientKey.sha256("k-coder")), "coder-only",
        Set.of("coder"), 0, 0, 0);
    gateway.auth(new AuthConfig(List.of(coderOnly), List.of(), null))
        .discovered("coder", "coder", ROUND_ROBIN)
        .proxy("writer", writer)
        .fallbacks("coder", "writer").start();

    JsonResponse chat = gateway.postChat("coder", "Authorization", "Bearer k-coder");
    JsonResponse forbidden = gateway.postChat("writer", "Authorization", "Bearer k-coder");
    JsonNode list = gateway.get("/v1/models", "Authorization", "Bearer k-coder").json();

    assertThat(chat.statusCode()).isEqualTo(503);
    assertThat(chat.headers().firstValue(SERVED_BY)).hasValue("none");
    assertThat(chat.json().path("error").path("message").asText()).doesNotContain("writer");
    assertThat(writer.stats().requestsByPath()).doesNotContainKey("/v1/chat/completions");
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(forbidden.headers().firstValue(SERVED_BY)).hasValue("none");
    assertThat(list.path("data")).isEmpty();
  }

  @Test
  void aReloadChangesTheChainForTheNextRequest() {
    Simulator writer = sim("writer-gguf");
    Simulator planner = sim("planner-gguf");
    gateway.proxy("coder", deadUrl, Map.of(), TestGateway.FAST)
        .proxy("writer", writer)
        .proxy("planner", planner).start();
    assertThat(gateway.postChat("coder").statusCode()).isEqualTo(502);

    reloadWithFallbacks("writer");
    JsonResponse toWriter = gateway.postChat("coder");
    reloadWithFallbacks("planner", "writer");
    JsonResponse toPlanner = gateway.postChat("coder");

    assertThat(toWriter.statusCode()).isEqualTo(200);
    assertThat(toWriter.headers().firstValue(SERVED_BY)).hasValue("writer@" + writer.baseUrl().substring(7));
    assertThat(toPlanner.statusCode()).isEqualTo(200);
    assertThat(toPlanner.headers().firstValue(SERVED_BY)).hasValue("planner@" + planner.baseUrl().substring(7));
  }

  private void reloadWithFallbacks(String... fallbacks) {
    GatewayConfig running = gateway.server().state().config();
    Map<String, ModelConfig> models = new LinkedHashMap<>(running.models());
    models.put("coder", TestGateway.withFallbacks(models.get("coder"), fallbacks));
    gateway.server().reload(new GatewayConfig(running.version(), running.defaultModel(), running.gateway(),
        running.auth(), models, running.source()));
  }
}
