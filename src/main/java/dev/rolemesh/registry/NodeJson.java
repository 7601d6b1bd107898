package dev.rolemesh.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.config.UpstreamUrls;
import dev.rolemesh.http.ApiError;
import dev.rolemesh.http.NodeIds;
import dev.rolemesh.json.JsonErrors;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Node JSON in both directions: the register and heartbeat bodies nodes send (validated, with errors naming the
 * field), and the node objects the gateway writes to {@code GET /v1/nodes} and to the state file. The state file
 * stores a node in the register shape plus its timestamps, so one validator guards both doors.
 */
public final class NodeJson {

  /** Node ids end up in URLs ({@code DELETE /v1/nodes/{node_id}}) and logs: no slashes, spaces or controls. */
  static final int MAX_ID_CHARS = 128;
  static final int MAX_MODEL_ID_CHARS = 256;
  static final int MAX_URL_CHARS = 2048;
  static final int MAX_SERVED_MODELS = 64;
  static final int MAX_ROLES = 64;
  /** Metadata per node, its own and its served models' together, serialised: operator notes, not a data store. */
  static final int MAX_META_BYTES = 8 * 1024;

  static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build())
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private NodeJson() {}

  /**
   * A body the gateway will not accept. Unparseable JSON is a 400; well-formed JSON with a bad field is a 422 that
   * names the field (as {@code served_models[1].roles}), so a node agent's log says what to fix.
   */
  public static final class Invalid extends Exception {
    private final int status;
    private final String param;
    private final String code;

    private Invalid(int status, String message, String param, String code) {
      super(message, null, false, false);
      this.status = status;
      this.param = param;
      this.code = code;
    }

    private Invalid(int status, String message, String param) {
      this(status, message, param, "invalid_request");
    }

    static Invalid field(String param, String message) {
      return new Invalid(422, message, param);
    }

    public ApiError toApiError() {
      return status == 400
          ? ApiError.invalidJson(getMessage())
          : new ApiError(status, getMessage(), "invalid_request_error", param, code);
    }

    public String param() {
      return param;
    }
  }

  /**
   * A registration as a node sends it. The meta cap applies here only, not to nodes read back from the state file:
   * a node registered before the cap existed keeps its entry until it registers again.
   */
  public static Registration registration(byte[] body) throws Invalid {
    Registration registration = registration(object(body));
    checkMetaSize(registration);
    return registration;
  }

  /**
   * The node's {@code meta} and its served models' together, as JSON, within {@link #MAX_META_BYTES}: every
   * {@code GET /v1/nodes} and every save carries them for every node. The error names the one that crossed the line.
   */
  private static void checkMetaSize(Registration registration) throws Invalid {
    long total = serializedSize(registration.meta());
    String param = "meta";
    for (int i = 0; i < registration.servedModels().size() && total <= MAX_META_BYTES; i++) {
      total += serializedSize(registration.servedModels().get(i).meta());
      param = "served_models[" + i + "].meta";
    }
    if (total > MAX_META_BYTES) {
      throw new Invalid(422, "'" + param + "' brings the node's metadata to " + total + " bytes of JSON; a node may"
          + " carry at most " + MAX_META_BYTES + " bytes of meta (its own and its served models' together)", param,
          "meta_too_large");
    }
  }

  private static long serializedSize(JsonNode meta) {
    try {
      return JSON.writeValueAsBytes(meta).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed tree always serialises", e);
    }
  }

  public static Heartbeat heartbeat(byte[] body) throws Invalid {
    JsonNode root = object(body);
    return new Heartbeat(nodeId(root), new Node.Load(count(root, "in_flight"), count(root, "free_slots")),
        heartbeatSlots(root.get("served_models")));
  }

  /**
   * A heartbeat's optional {@code served_models[]} ({@code model_id} and {@code meta.parallel}, as in a
   * registration): each model's slots now, so a changed {@code --parallel} reaches admission within a heartbeat.
   * Entries without a positive whole {@code parallel} say nothing.
   */
  private static Map<String, Integer> heartbeatSlots(JsonNode served) throws Invalid {
    if (served == null || served.isNull()) {
      return Map.of();
    }
    if (!served.isArray() || served.size() > MAX_SERVED_MODELS) {
      throw Invalid.field("served_models", "'served_models' must be a list of at most " + MAX_SERVED_MODELS
          + " {model_id, meta} objects");
    }
    Map<String, Integer> slots = new LinkedHashMap<>();
    for (int i = 0; i < served.size(); i++) {
      String at = "served_models[" + i + "]";
      JsonNode entry = served.get(i);
      if (!entry.isObject()) {
        throw Invalid.field(at, "'" + at + "' must be an object with model_id and meta");
      }
      String modelId = requiredString(entry.get("model_id"), at + ".model_id", MAX_MODEL_ID_CHARS);
      JsonNode parallel = entry.path("meta").path("parallel");
      if (parallel.isIntegralNumber() && parallel.canConvertToInt() && parallel.asInt() > 0) {
        slots.put(modelId, parallel.asInt());
      }
    }
    return Map.copyOf(slots);
  }

  /** The node as stored and as the base of the operator view. */
  static ObjectNode write(Node node) {
    ObjectNode out = JSON.createObjectNode();
    out.put("node_id", node.nodeId());
    out.put("base_url", node.baseUrl().toString());
    ArrayNode models = out.putArray("served_models");
    for (ServedModel model : node.servedModels()) {
      ObjectNode entry = models.addObject();
      entry.put("model_id", model.modelId());
      model.roles().forEach(entry.putArray("roles")::add);
      entry.set("meta", model.meta());
    }
    out.set("meta", node.meta());
    out.put("registered_at", node.registeredAt().toString());
    out.put("last_seen", node.lastSeen().toString());
    if (node.reported() != null) {
      ObjectNode load = out.putObject("reported_load");
      load.put("in_flight", node.reported().inFlight());
      load.put("free_slots", node.reported().freeSlots());
    }
    return out;
  }

  /** A node read back from the state file; anything {@link #write} would not have produced is {@link Invalid}. */
  static Node read(JsonNode stored) throws Invalid {
    if (!stored.isObject()) {
      throw Invalid.field("nodes[]", "each node must be a JSON object");
    }
    Registration registration = registration(stored);
    Node.Load load = null;
    JsonNode reported = stored.get("reported_load");
    if (reported != null && !reported.isNull()) {
      load = new Node.Load(count(reported, "in_flight"), count(reported, "free_slots"));
    }
    return new Node(registration.nodeId(), registration.baseUrl(), registration.servedModels(), registration.meta(),
        instant(stored, "registered_at"), instant(stored, "last_seen"), load);
  }

  static JsonNode object(byte[] body) throws Invalid {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new Invalid(400, "not valid JSON: " + JsonErrors.describe(e), null);
    } catch (IOException e) {
      throw new Invalid(400, String.valueOf(e.getMessage()), null);
    }
    if (root == null || !root.isObject()) {
      throw new Invalid(400, "expected a JSON object", null);
    }
    return root;
  }

  private static Registration registration(JsonNode root) throws Invalid {
    String nodeId = nodeId(root);
    URI baseUrl = baseUrl(root.get("base_url"));
    List<ServedModel> served = servedModels(root);
    return new Registration(nodeId, baseUrl, served, meta(root.get("meta"), "meta"));
  }

  private static String nodeId(JsonNode root) throws Invalid {
    String id = requiredString(root.get("node_id"), "node_id", NodeIds.MAX_CHARS);
    String problem = NodeIds.problem(id);
    if (problem != null) {
      throw Invalid.field("node_id", "'node_id' " + problem);
    }
    return id;
  }

  /**
   * The same rules as a model's {@code proxy_url}: http(s), a host, an optional port and path prefix; a trailing
   * {@code /v1} is stripped, since a node's OpenAI base URL is often what gets pasted.
   */
  private static URI baseUrl(JsonNode value) throws Invalid {
    String text = requiredString(value, "base_url", MAX_URL_CHARS);
    try {
      return UpstreamUrls.normalize(text);
    } catch (IllegalArgumentException e) {
      throw Invalid.field("base_url", "'base_url' " + e.getMessage());
    }
  }

  /** {@code served_models} when given; otherwise the legacy flat {@code roles}, each role its own model id. */
  private static List<ServedModel> servedModels(JsonNode root) throws Invalid {
    JsonNode served = root.get("served_models");
    boolean hasServed = served != null && !served.isNull() && !(served.isArray() && served.isEmpty());
    if (!hasServed) {
      List<String> roles = roles(root.get("roles"), "roles");
      List<ServedModel> models = new ArrayList<>();
      for (String role : roles) {
        models.add(new ServedModel(role, List.of(role), JSON.createObjectNode()));
      }
      return List.copyOf(models);
    }
    if (!served.isArray()) {
      throw Invalid.field("served_models", "'served_models' must be a list of {model_id, roles, meta} objects");
    }
    if (served.size() > MAX_SERVED_MODELS) {
      throw Invalid.field("served_models", "'served_models' may list at most " + MAX_SERVED_MODELS + " models");
    }
    List<ServedModel> models = new ArrayList<>();
    for (int i = 0; i < served.size(); i++) {
      String at = "served_models[" + i + "]";
      JsonNode entry = served.get(i);
      if (!entry.isObject()) {
        throw Invalid.field(at, "'" + at + "' must be an object with model_id, roles and optional meta");
      }
      models.add(new ServedModel(
          requiredString(entry.get("model_id"), at + ".model_id", MAX_MODEL_ID_CHARS),
          roles(entry.get("roles"), at + ".roles"),
          meta(entry.get("meta"), at + ".meta")));
    }
    return List.copyOf(models);
  }

  private static List<String> roles(JsonNode value, String param) throws Invalid {
    if (value == null || value.isNull()) {
      throw Invalid.field(param, "Missing required field '" + param + "': name at least one role (or send"
          + " 'served_models')");
    }
    if (!value.isArray()) {
      throw Invalid.field(param, "'" + param + "' must be a list of role names");
    }
    if (value.isEmpty()) {
      throw Invalid.field(param, "'" + param + "' is empty: a node must serve at least one role");
    }
    if (value.size() > MAX_ROLES) {
      throw Invalid.field(param, "'" + param + "' may list at most " + MAX_ROLES + " roles");
    }
    Set<String> roles = new LinkedHashSet<>();
    for (int i = 0; i < value.size(); i++) {
      roles.add(requiredString(value.get(i), param + "[" + i + "]", MAX_ID_CHARS));
    }
    return List.copyOf(roles);
  }

  private static JsonNode meta(JsonNode value, String param) throws Invalid {
    if (value == null || value.isNull()) {
      return JSON.createObjectNode();
    }
    if (!value.isObject()) {
      throw Invalid.field(param, "'" + param + "' must be a JSON object");
    }
    return value;
  }

  private static String requiredString(JsonNode value, String param, int maxChars) throws Invalid {
    if (value == null || value.isNull()) {
      throw Invalid.field(param, "Missing required field '" + param + "'");
    }
    if (!value.isTextual()) {
      throw Invalid.field(param, "'" + param + "' must be a string");
    }
    String text = value.asText();
    if (text.isBlank()) {
      throw Invalid.field(param, "'" + param + "' must not be empty");
    }
    if (text.length() > maxChars) {
      throw Invalid.field(param, "'" + param + "' is longer than " + maxChars + " characters");
    }
    if (text.chars().anyMatch(Character::isISOControl) || !text.strip().equals(text)) {
      throw Invalid.field(param, "'" + param + "' must not contain control characters or surrounding spaces");
    }
    return text;
  }

  /** An optional non-negative whole number; absent or null means "not reported". */
  private static Integer count(JsonNode parent, String field) throws Invalid {
    JsonNode value = parent.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isNumber() || !value.canConvertToExactIntegral() || !value.canConvertToInt() || value.asInt() < 0) {
      throw Invalid.field(field, "'" + field + "' must be a whole number >= 0");
    }
    return value.asInt();
  }

  private static Instant instant(JsonNode parent, String field) throws Invalid {
    String text = requiredString(parent.get(field), field, 64);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw Invalid.field(field, "'" + field + "' must be an ISO-8601 instant, got '" + text + "'");
    }
  }
}
