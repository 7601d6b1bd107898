package dev.rolemesh.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolemesh.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistrySettingsTest {

  @Test
  void unsetOrEmptyVariablesTakeTheDefaults() throws Exception {
    for (Map<String, String> env : java.util.List.of(Map.<String, String>of(),
        Map.of(RegistrySettings.STATE_DIR_ENV, "", RegistrySettings.STALE_AFTER_ENV, " "))) {
      RegistrySettings settings = RegistrySettings.fromEnv(env);
      assertThat(settings.stateDir()).isEqualTo(Path.of("./state"));
      assertThat(settings.staleAfter()).isEqualTo(Duration.ofSeconds(30));
    }
  }

  @Test
  void variablesAreHonoured() throws Exception {
    RegistrySettings settings = RegistrySettings.fromEnv(Map.of(
        "ROLE_MESH_STATE_DIR", "/var/lib/rolemesh", "ROLE_MESH_NODE_STALE_AFTER_S", "2.5"));

    assertThat(settings.stateDir()).isEqualTo(Path.of("/var/lib/rolemesh"));
    assertThat(settings.staleAfter()).isEqualTo(Duration.ofMillis(2500));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "abc", "30s", "NaN", "0.0001"})
  void aBadStaleTimeoutNamesTheVariable(String value) {
    assertThatThrownBy(() -> RegistrySettings.fromEnv(Map.of("ROLE_MESH_NODE_STALE_AFTER_S", value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ROLE_MESH_NODE_STALE_AFTER_S")
        .hasMessageContaining("'" + value + "'");
  }
}
