package dev.rolemesh.sim;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares JSON by shape, not value: same keys in the same order, recursively, and the same JSON types (integral and
 * fractional numbers told apart); arrays are compared by their first element.
 */
final class JsonShape {

  private JsonShape() {}

  static void assertSameShape(JsonNode expected, JsonNode actual) {
    compare("$", expected, actual);
  }

  private static void compare(String path, JsonNode expected, JsonNode actual) {
    if (!type(expected).equals(type(actual))) {
      fail("%s: expected %s but was %s (%s)", path, type(expected), type(actual), actual);
    }
    if (expected.isObject()) {
      List<String> expectedKeys = new ArrayList<>();
      expected.fieldNames().forEachRemaining(expectedKeys::add);
      List<String> actualKeys = new ArrayList<>();
      actual.fieldNames().forEachRemaining(actualKeys::add);
      if (!expectedKeys.equals(actualKeys)) {
        fail("%s: expected keys %s but were %s", path, expectedKeys, actualKeys);
      }
      for (String key : expectedKeys) {
        compare(path + "." + key, expected.get(key), actual.get(key));
      }
    } else if (expected.isArray()) {
      if (expected.isEmpty() != actual.isEmpty()) {
        fail("%s: expected %s array but was %s", path, expected.isEmpty() ? "an empty" : "a non-empty", actual);
      }
      if (!expected.isEmpty()) {
        compare(path + "[0]", expected.get(0), actual.get(0));
      }
    }
  }

  private static String type(JsonNode node) {
    if (node.isIntegralNumber()) {
      return "integer";
    }
    if (node.isNumber()) {
      return "fraction";
    }
    return node.getNodeType().name().toLowerCase();
  }
}
