package dev.rolemesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders the status API's JSON as plain-text tables, columns padded to their widest cell. */
final class StatusTable {

  private StatusTable() {}

  static boolean defaultRoleCanServe(JsonNode status) {
    String name = status.path("default_model").asText();
    for (JsonNode role : status.path("roles")) {
      if (role.path("role").asText().equals(name)) {
        return role.path("available").asBoolean();
      }
    }
    return false;
  }

  static String render(String url, JsonNode status) {
    StringBuilder out = new StringBuilder();
    out.append("RoleMesh gateway ").append(url).append(" · config v").append(status.path("version").asLong())
        .append(" · default role ").append(status.path("default_model").asText()).append(": ")
        .append(defaultRoleCanServe(status) ? "ready" : "CANNOT SERVE").append("\n\n");
    List<List<String>> roles = new ArrayList<>();
    roles.add(List.of("ROLE", "TYPE", "STRATEGY", "STATUS", "IN FLIGHT", "REQ/S", "TTFT P50", "TTFT P95",
        "TOKENS/S", "ERRORS"));
    long requests = 0;
    double errors = 0;
    for (JsonNode role : status.path("roles")) {
      roles.add(List.of(role.path("role").asText(), role.path("type").asText(), role.path("strategy").asText(),
          role.path("available").asBoolean() ? "available" : "down: " + role.path("reason").asText(),
          role.path("in_flight").asText(), role.path("req_per_s").asText(), ms(role.path("ttft_p50_ms")),
          ms(role.path("ttft_p95_ms")), role.path("tokens_per_s").asText(), percent(role.path("error_rate"))));
      requests += role.path("requests").asLong();
      errors += role.path("requests").asLong() * role.path("error_rate").asDouble();
    }
    table(out, roles);
    out.append('\n');
    if (status.path("nodes").isEmpty()) {
      out.append("No registered nodes.\n");
    } else {
      List<List<String>> nodes = new ArrayList<>();
      nodes.add(List.of("NODE", "STATE", "AGE", "IN FLIGHT", "MODELS"));
      for (JsonNode node : status.path("nodes")) {
        List<String> models = new ArrayList<>();
        for (JsonNode model : node.path("models")) {
          List<String> served = new ArrayList<>();
          model.path("roles").forEach(role -> served.add(role.asText()));
          models.add(model.path("model_id").asText() + " (" + String.join(", ", served) + ")");
        }
        nodes.add(List.of(node.path("node_id").asText(), node.path("state").asText(),
            String.format(Locale.ROOT, "%.1fs", node.path("age_s").asDouble()), node.path("in_flight").asText(),
            String.join("; ", models)));
      }
      table(out, nodes);
    }
    out.append('\n').append(String.format(Locale.ROOT, "Recent error rate: %s of %d requests in the last %.0f s%n",
        requests == 0 ? "0%" : Math.round(errors / requests * 100) + "%", requests,
        status.path("window_s").asDouble()));
    return out.toString();
  }

  private static String ms(JsonNode value) {
    return value.isNumber() ? Math.round(value.asDouble()) + " ms" : "-";
  }

  private static String percent(JsonNode rate) {
    return Math.round(rate.asDouble() * 100) + "%";
  }

  private static void table(StringBuilder out, List<List<String>> rows) {
    int[] widths = new int[rows.getFirst().size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + (widths[i] + 2) + "s", row.get(i)));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
