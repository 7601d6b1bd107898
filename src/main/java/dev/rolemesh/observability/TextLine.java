package dev.rolemesh.observability;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A JSON log line as one short line for a person at a terminal: local time, level, then for a request its status,
 * method, path, role, backend, duration and size; for any other event its message (or its name) and the fields the
 * message does not already say.
 */
final class TextLine {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
      .withZone(ZoneId.systemDefault());
  private static final int MAX_ID = 32;
  private static final Set<String> HEADER = Set.of("ts", "level", "event", "msg");
  private static final String RESET = "\u001b[0m";
  private static final String DIM = "\u001b[2m";
  private static final String GREEN = "\u001b[32m";
  private static final String YELLOW = "\u001b[33m";
  private static final String RED = "\u001b[31m";
  private static final String CYAN = "\u001b[36m";

  private TextLine() {}

  static String render(JsonNode line, boolean colour) {
    StringBuilder out = new StringBuilder(160);
    Paint paint = new Paint(out, colour);
    paint.add(DIM, time(line.path("ts").asText())).append(' ');
    String level = line.path("level").asText("info");
    paint.add(levelColour(level), String.format(Locale.ROOT, "%-5s", level.toUpperCase(Locale.ROOT))).append(' ');
    if ("request".equals(line.path("event").asText())) {
      request(line, paint);
    } else {
      event(line, paint);
    }
    return out.toString();
  }

  private static void request(JsonNode line, Paint paint) {
    int status = line.path("status").asInt();
    paint.add(status >= 500 ? RED : status >= 400 ? YELLOW : GREEN, String.valueOf(status)).append(' ');
    paint.out.append(line.path("method").asText()).append(' ').append(line.path("path").asText());
    if (!line.path("alias").isNull() && !line.path("alias").isMissingNode()) {
      paint.out.append(' ');
      paint.add(CYAN, line.path("alias").asText());
    }
    if (line.hasNonNull("served_by")) {
      paint.out.append(" (fallback ");
      paint.add(CYAN, line.path("served_by").asText()).append(')');
    }
    if (!line.path("upstream").isNull() && !line.path("upstream").isMissingNode()) {
      paint.out.append(" -> ").append(line.path("upstream").asText());
    }
    paint.out.append(' ').append(millis(line.path("duration_ms").asDouble()));
    if (line.path("queue_ms").isNumber()) {
      paint.out.append(" (queued ").append(millis(line.path("queue_ms").asDouble())).append(')');
    }
    if (line.path("ttfb_ms").isNumber() && line.path("stream").asBoolean()) {
      paint.out.append(" (first byte ").append(millis(line.path("ttfb_ms").asDouble())).append(')');
    }
    paint.out.append(' ').append(line.path("bytes").asLong()).append(" B");
    if (line.path("stream").asBoolean()) {
      paint.out.append(" stream");
    }
    if (line.path("attempts").asInt(1) > 1) {
      paint.out.append(", ").append(line.path("attempts").asInt()).append(" attempts");
    }
    if (line.hasNonNull("error")) {
      paint.out.append(' ');
      paint.add(RED, line.path("error").asText());
    }
    String id = line.path("request_id").asText();
    // A caller's X-Request-Id may be 128 characters; the generated ones are 32.
    paint.add(DIM, " " + (id.length() > MAX_ID ? id.substring(0, MAX_ID) + "…" : id));
  }

  private static void event(JsonNode line, Paint paint) {
    String msg = line.path("msg").asText(null);
    if (msg == null) {
      paint.add(CYAN, line.path("event").asText());
    } else {
      paint.out.append(msg);
    }
    StringBuilder fields = new StringBuilder();
    for (Map.Entry<String, JsonNode> field : line.properties()) {
      JsonNode value = field.getValue();
      if (HEADER.contains(field.getKey()) || value.isNull() || (msg != null && value.isBoolean())) {
        continue;
      }
      String text = value.isTextual() ? value.asText() : value.toString();
      if (msg == null || !msg.contains(text)) {
        fields.append(' ').append(field.getKey()).append('=').append(text);
      }
    }
    if (!fields.isEmpty()) {
      paint.add(DIM, fields.toString());
    }
  }

  private static String time(String ts) {
    try {
      return TIME.format(Instant.parse(ts));
    } catch (DateTimeParseException e) {
      return ts;
    }
  }

  private static String millis(double ms) {
    return ms >= 1000 ? String.format(Locale.ROOT, "%.2f s", ms / 1000) : String.format(Locale.ROOT, "%.1f ms", ms);
  }

  private static String levelColour(String level) {
    return switch (level) {
      case "warn" -> YELLOW;
      case "error" -> RED;
      default -> GREEN;
    };
  }

  /** Appends text, wrapped in a colour when colours are on. */
  private record Paint(StringBuilder out, boolean colour) {
    StringBuilder add(String code, String text) {
      return colour ? out.append(code).append(text).append(RESET) : out.append(text);
    }
  }
}
