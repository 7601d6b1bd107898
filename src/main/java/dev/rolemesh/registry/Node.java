package dev.rolemesh.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.Map;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A registered node as the registry holds it. Immutable: a heartbeat replaces the record, so readers on other event
 * loops always see a consistent node.
 *
 * @param registeredAt when the node last (re-)registered
 * @param lastSeen the last register or heartbeat; freshness is measured from here
 * @param reported the load the node reported with its last heartbeat, or null when it reported none
 */
public record Node(
    String nodeId,
    URI baseUrl,
    List<ServedModel> servedModels,
    JsonNode meta,
    Instant registeredAt,
    Instant lastSeen,
    Load reported) {

  /**
   * Load figures a node may send with a heartbeat. Shown to operators only: least_busy counts requests through
   * this gateway, which it knows exactly, rather than a figure that is a heartbeat old.
   *
   * @param inFlight requests the node says it is working on, or null
   * @param freeSlots idle slots the node says it has, or null
   */
  public record Load(Integer inFlight, Integer freeSlots) {}

  static Node registered(Registration registration, Instant now) {
    return new Node(registration.nodeId(), registration.baseUrl(), registration.servedModels(), registration.meta(),
        now, now, null);
  }

  Node seen(Instant now, Load load) {
    return seen(now, load, Map.of());
  }

  /**
   * @param slots each model's slots as the heartbeat reported them, by model id: a changed count replaces the
   *     model's {@code meta.parallel} (the served models are otherwise kept as registered)
   */
  Node seen(Instant now, Load load, Map<String, Integer> slots) {
    List<ServedModel> models = servedModels;
    for (int i = 0; i < models.size(); i++) {
      ServedModel model = models.get(i);
      Integer reported = slots.get(model.modelId());
      if (reported != null && model.slots() != reported) {
        ObjectNode changed =
            model.meta() instanceof ObjectNode object ? object.deepCopy() : NodeJson.JSON.createObjectNode();
        changed.put("parallel", reported);
        models = new ArrayList<>(models);
        models.set(i, new ServedModel(model.modelId(), model.roles(), changed));
        models = List.copyOf(models);
      }
    }
    return new Node(nodeId, baseUrl, models, meta, registeredAt, now, load);
  }

  /** The model this node serves the role with (the first one listing it), or null when it does not serve it. */
  public String modelFor(String role) {
    for (ServedModel model : servedModels) {
      if (model.roles().contains(role)) {
        return model.modelId();
      }
    }
    return null;
  }

  /**
   * The parallel slots of the model serving the role, from its {@code meta.parallel} (the node agent sends its
   * llama-server's {@code --parallel}); 0 when the node does not say.
   */
  public int slotsFor(String role) {
    for (ServedModel model : servedModels) {
      if (model.roles().contains(role)) {
        return model.slots();
      }
    }
    return 0;
  }

  public boolean serves(String role) {
    return modelFor(role) != null;
  }

  /** Every role any of its models serves, in registration order. */
  public List<String> roles() {
    Set<String> roles = new LinkedHashSet<>();
    servedModels.forEach(model -> roles.addAll(model.roles()));
    return List.copyOf(roles);
  }
}
