package dev.rolemesh.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolemesh.observability.LogSettings.Format;
import dev.rolemesh.observability.LogSettings.Level;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogSettingsTest {

  @Test
  void aTerminalGetsColouredTextAndAnythingElseJson() {
    assertThat(LogSettings.resolve(null, null, Map.of(), true)).isEqualTo(new LogSettings(Format.TEXT, true, Level.INFO));
    assertThat(LogSettings.resolve(null, null, Map.of(), false)).isEqualTo(LogSettings.JSON);
  }

  @Test
  void theOptionBeatsTheEnvironmentWhichBeatsTheDefault() {
    Map<String, String> env = Map.of(LogSettings.FORMAT_ENV, "json", LogSettings.LEVEL_ENV, "WARN");
    assertThat(LogSettings.resolve(null, null, env, true)).isEqualTo(new LogSettings(Format.JSON, false, Level.WARN));
    assertThat(LogSettings.resolve("text", "error", env, true))
        .isEqualTo(new LogSettings(Format.TEXT, true, Level.ERROR));
  }

  @Test
  void textIntoAPipeOrWithNoColorHasNoColours() {
    assertThat(LogSettings.resolve("text", null, Map.of(), false).colour()).isFalse();
    assertThat(LogSettings.resolve(null, null, Map.of("NO_COLOR", "1"), true).colour()).isFalse();
  }

  @Test
  void aBadValueNamesWhereItCameFromAndTheChoices() {
    assertThatThrownBy(() -> LogSettings.resolve("xml", null, Map.of(), true))
        .hasMessage("--log-format: must be json|text, got 'xml'");
    assertThatThrownBy(() -> LogSettings.resolve(null, null, Map.of(LogSettings.LEVEL_ENV, "debug"), true))
        .hasMessage("ROLEMESH_LOG_LEVEL: must be info|warn|error, got 'debug'");
  }

  @Test
  void aLevelWritesItselfAndWhatIsMoreSevere() {
    LogSettings warn = new LogSettings(Format.JSON, false, Level.WARN);
    assertThat(warn.writes(Level.INFO)).isFalse();
    assertThat(warn.writes(Level.WARN)).isTrue();
    assertThat(warn.writes(Level.ERROR)).isTrue();
  }
}
