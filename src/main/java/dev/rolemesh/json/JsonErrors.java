package dev.rolemesh.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a document is not JSON, as one line that says where and what: {@code line 1, column 12: the input ends
 * inside the object opened at line 1, column 1}. Jackson's own messages carry its internals ("[Source: REDACTED
 * (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)", Java type names, feature names), which mean nothing
 * to whoever sent the document.
 */
public final class JsonErrors {

  private static final Pattern UNCLOSED = Pattern.compile(
      "Unexpected end-of-input: expected close marker for (Object|Array) \\(start marker at .*?line: (\\d+), column: (\\d+)\\]\\)",
      Pattern.DOTALL);
  private static final Pattern INTERNALS = Pattern.compile(
      "\\s*\\(start marker at \\[Source.*?\\]\\)|\\s*at \\[Source.*?\\]|\\s*\\(code \\d+\\)|\\s*\\(for .*?\\)$",
      Pattern.DOTALL);

  private JsonErrors() {}

  public static String describe(JsonProcessingException e) {
    String where = where(e.getLocation());
    String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (message.startsWith("Trailing token")) {
      return where + "more data after the JSON value";
    }
    Matcher unclosed = UNCLOSED.matcher(message);
    if (unclosed.find()) {
      return where + "the input ends inside the " + (unclosed.group(1).equals("Object") ? "object" : "array")
          + " opened at line " + unclosed.group(2) + ", column " + unclosed.group(3);
    }
    String what = INTERNALS.matcher(message).replaceAll("").lines().findFirst().orElse("").strip();
    if (what.startsWith("Unexpected end-of-input")) {
      what = "the input ends too early" + what.substring("Unexpected end-of-input".length());
    }
    if (what.isEmpty()) {
      what = "not valid JSON";
    }
    return where + Character.toLowerCase(what.charAt(0)) + what.substring(1);
  }

  private static String where(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
  }
}
