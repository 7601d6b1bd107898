package dev.rolemesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDiffTest {

  @TempDir
  Path dir;

  private GatewayConfig load(String yaml) throws ConfigException {
    return ConfigLoader.load(YamlFixtures.write(dir, "models.yaml", yaml), null, Map.of(), warning -> { });
  }

  @Test
  void rolesAddedRemovedAndChangedAreNamed() throws ConfigException {
    GatewayConfig running = load("""
        models:
          planner: {type: proxy, proxy_url: "http://127.0.0.1:8011"}
          writer: {type: proxy, proxy_url: "http://127.0.0.1:8012"}
        """);
    GatewayConfig loaded = load("""
        models:
          planner: {type: proxy, proxy_url: "http://127.0.0.1:8011", defaults: {temperature: 0}}
          coder: {type: discovered, strategy: least_busy}
        """);

    ConfigDiff diff = ConfigDiff.between(running, loaded);

    assertThat(diff.added()).containsExactly("coder");
    assertThat(diff.removed()).containsExactly("writer");
    assertThat(diff.changed()).containsExactly("planner");
    assertThat(diff.restartOnly()).isEmpty();
    assertThat(diff.inForce()).isEqualTo(loaded);
    assertThat(diff.none(running)).isFalse();
  }

  @Test
  void theListenAddressAndBodyBudgetWaitForARestartWhileTheRestTakesEffect() throws ConfigException {
    GatewayConfig running = load("""
        gateway: {host: 127.0.0.1, port: 8000, max_body_mb: 32, max_inflight_body_mb: 256}
        auth: {client_api_keys: [old]}
        models:
          planner: {type: proxy, proxy_url: "http://127.0.0.1:8011"}
        """);
    GatewayConfig loaded = load("""
        gateway: {host: 0.0.0.0, port: 9000, max_body_mb: 64, max_inflight_body_mb: 512, shutdown_grace_s: 5}
        auth: {client_api_keys: [new]}
        models:
          planner: {type: proxy, proxy_url: "http://127.0.0.1:8011"}
        """);

    ConfigDiff diff = ConfigDiff.between(running, loaded);

    assertThat(diff.restartOnly()).containsExactly("gateway.host", "gateway.port", "gateway.max_inflight_body_mb");
    assertThat(diff.inForce().gateway().host()).isEqualTo("127.0.0.1");
    assertThat(diff.inForce().gateway().port()).isEqualTo(8000);
    assertThat(diff.inForce().gateway().maxInflightBodyBytes()).isEqualTo(running.gateway().maxInflightBodyBytes());
    assertThat(diff.inForce().gateway().maxBodyBytes()).isEqualTo(loaded.gateway().maxBodyBytes());
    assertThat(diff.inForce().gateway().shutdownGrace()).hasSeconds(5);
    assertThat(diff.inForce().auth()).isEqualTo(loaded.auth()).isNotEqualTo(running.auth());
  }

  @Test
  void theSameConfigAgainChangesNothing() throws ConfigException {
    String yaml = """
        models:
          planner: {type: proxy, proxy_url: "http://127.0.0.1:8011", defaults: {max_tokens: 8}}
        """;
    GatewayConfig running = load(yaml);

    assertThat(ConfigDiff.between(running, load(yaml)).none(running)).isTrue();
  }
}
