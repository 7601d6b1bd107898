package dev.rolemesh.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.junit.jupiter.api.Test;

class JsonErrorsTest {

  private static String problem(String document) {
    return JsonErrors.describe(catchThrowableOfType(JsonProcessingException.class,
        () -> Json.MAPPER.readTree(document)));
  }

  @Test
  void anUnclosedObjectNamesWhereItWasOpened() {
    assertThat(problem("{\"model\": \"planner\",\n \"messages\": [1, 2]"))
        .isEqualTo("line 2, column 20: the input ends inside the object opened at line 1, column 1");
    assertThat(problem("[1, 2")).isEqualTo("line 1, column 6: the input ends inside the array opened at line 1, column 1");
  }

  @Test
  void aWrongCharacterIsNamedWithoutParserInternals() {
    String message = problem("{not json}");
    assertThat(message).isEqualTo("line 1, column 2: unexpected character ('n'): was expecting double-quote to start field name")
        .doesNotContain("Source", "REDACTED", "StreamReadFeature", "code 110", "\n");
    assertThat(problem("{\"a\": tru}")).startsWith("line 1, column ").contains("unrecognized token 'tru'")
        .doesNotContain("Source");
  }

  @Test
  void trailingDataAndAnUnterminatedStringSayWhatIsWrong() {
    assertThat(problem("{} {}")).isEqualTo("line 1, column 4: more data after the JSON value");
    assertThat(problem("{\"a\": \"unterminated")).startsWith("line 1, column 20: the input ends too early")
        .doesNotContain("Source", "VALUE_STRING");
  }
}
