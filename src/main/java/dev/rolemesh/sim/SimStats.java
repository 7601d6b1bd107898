package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.util.List;
import java.util.Map;

/**
 * What the simulator has seen, as served at GET /sim/stats and returned by {@link Simulator#stats()}: a snapshot.
 *
 * <p>Every request except /sim/* counts in {@code requestsTotal} and {@code requestsByPath}. {@code lastRequest} and
 * {@code recent} (newest last, at most {@value StatsRecorder#RECENT_LIMIT}) leave out the probe paths /health,
 * /slots and /metrics, so a gateway's background health checks never displace the request a test inspects.
 * {@code active} counts inference requests from arrival to their end (waiting for a slot and hanging included);
 * each ends as completed (whole answer sent, whatever its status), cancelled (the client went away first) or
 * neither (the simulator cut it off on purpose, {@code die-mid-stream}).
 *
 * @param lastCancelEpochMs wall-clock time of the last cancellation, 0 if none yet
 * @param connectionsOpen TCP connections open right now
 * @param lastRequest null until a request was recorded
 */
public record SimStats(
    long requestsTotal,
    int active,
    long cancelledTotal,
    long completedTotal,
    long lastCancelEpochMs,
    int connectionsOpen,
    Map<String, Long> requestsByPath,
    RecordedRequest lastRequest,
    List<RecordedRequest> recent) {

  /**
   * One request as received.
   *
   * @param headers names lowercased; repeated headers joined with ", "
   * @param body the parsed JSON body, a text node when it is not JSON, null when empty; for a form upload, its
   *     fields and {@code file} (name, type, size)
   */
  public record RecordedRequest(String method, String path, Map<String, String> headers, JsonNode body) {

    ObjectNode toJson() {
      ObjectNode json = Json.object().put("method", method).put("path", path);
      ObjectNode headerJson = json.putObject("headers");
      headers.forEach(headerJson::put);
      json.set("body", body);
      return json;
    }
  }

  public ObjectNode toJson() {
    ObjectNode json = Json.object()
        .put("requests_total", requestsTotal)
        .put("active", active)
        .put("cancelled_total", cancelledTotal)
        .put("completed_total", completedTotal)
        .put("last_cancel_epoch_ms", lastCancelEpochMs)
        .put("connections_open", connectionsOpen);
    ObjectNode byPath = json.putObject("requests_by_path");
    requestsByPath.forEach(byPath::put);
    json.set("last_request", lastRequest == null ? null : lastRequest.toJson());
    ArrayNode recentJson = json.putArray("recent");
    recent.forEach(request -> recentJson.add(request.toJson()));
    return json;
  }
}
