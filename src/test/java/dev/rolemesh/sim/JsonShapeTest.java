package dev.rolemesh.sim;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The shape oracle must itself tell shapes apart, or the fixture tests prove nothing. */
class JsonShapeTest {

  @Test
  void sameKeysOrderAndTypesMatchWhateverTheValues() {
    assertThatCode(() -> compare("{\"a\":1,\"b\":[{\"c\":\"x\"}],\"d\":null}", "{\"a\":2,\"b\":[{\"c\":\"y\"},{}],\"d\":null}"))
        .doesNotThrowAnyException();
  }

  @Test
  void keyOrderCounts() {
    assertThatThrownBy(() -> compare("{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}")).hasMessageContaining("keys");
  }

  @Test
  void typesCountDownToIntegralVersusFractional() {
    assertThatThrownBy(() -> compare("{\"a\":1.5}", "{\"a\":1}")).hasMessageContaining("$.a");
    assertThatThrownBy(() -> compare("{\"a\":null}", "{\"a\":\"x\"}")).hasMessageContaining("$.a");
  }

  @Test
  void nestedDifferencesAndEmptinessOfArraysCount() {
    assertThatThrownBy(() -> compare("{\"a\":[{\"b\":1}]}", "{\"a\":[{\"c\":1}]}")).hasMessageContaining("$.a[0]");
    assertThatThrownBy(() -> compare("{\"a\":[]}", "{\"a\":[1]}")).hasMessageContaining("$.a");
  }

  private static void compare(String expected, String actual) {
    JsonShape.assertSameShape(Fixtures.parse(expected), Fixtures.parse(actual));
  }
}
