package dev.rolemesh.nodeagent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.net.URI;

/**
 * The JSON the agent sends and serves: the registration and heartbeat bodies (the seed's schema, see
 * rolemesh-CONFIG "Registering nodes"), the inventory and the model list.
 */
final class AgentJson {

  static final ObjectMapper JSON = Json.MAPPER;
  static final String AGENT = "rolemesh-node-agent";
  private static final int MAX_ERROR_CHARS = 1000;

  private AgentJson() {}

  /**
   * Every configured model is advertised, loaded or not, because the agent loads any of them on demand; the meta
   * says which are loaded and where, so an operator can tell a warm node from a cold one.
   *
   * @param host null when probing the host failed
   */
  static ObjectNode registration(AgentConfig config, URI baseUrl, ModelScheduler scheduler, HostFacts host) {
    ObjectNode out = JSON.createObjectNode();
    out.put("node_id", config.nodeId());
    out.put("base_url", baseUrl.toString());
    ArrayNode served = out.putArray("served_models");
    for (ModelSpec model : config.models()) {
      ObjectNode entry = served.addObject();
      entry.put("model_id", model.modelId());
      model.roles().forEach(entry.putArray("roles")::add);
      entry.set("meta", modelMeta(model, scheduler));
    }
    ObjectNode meta = out.putObject("meta");
    meta.put("agent", AGENT);
    if (host != null) {
      meta.set("host", host(host));
    }
    meta.set("servers", servers(scheduler));
    return out;
  }

  /**
   * The load figures, and each model's slots in the registration's shape ({@code served_models[].meta.parallel}):
   * a gateway that admits by slots reads capacity the same way from both, and a reload's new slot counts reach it
   * within a heartbeat.
   */
  static ObjectNode heartbeat(AgentConfig config, ModelScheduler scheduler) {
    ObjectNode out = JSON.createObjectNode();
    out.put("node_id", config.nodeId());
    out.put("in_flight", scheduler.inFlight());
    out.put("free_slots", scheduler.freeSlots());
    out.put("waiting", scheduler.waitingCount());
    scheduler.loadedModels().forEach(out.putArray("loaded_models")::add);
    ArrayNode served = out.putArray("served_models");
    for (ModelSpec model : config.models()) {
      ObjectNode entry = served.addObject();
      entry.put("model_id", model.modelId());
      ObjectNode meta = entry.putObject("meta");
      meta.put("parallel", model.parallel());
      meta.put("loaded", scheduler.slotOf(model) != null);
    }
    return out;
  }

  static ObjectNode inventory(AgentConfig config, ModelScheduler scheduler, HostFacts host) {
    ObjectNode out = JSON.createObjectNode();
    out.put("node_id", config.nodeId());
    out.set("host", host(host));
    out.set("servers", servers(scheduler));
    ArrayNode models = out.putArray("models");
    for (ModelSpec model : config.models()) {
      ObjectNode entry = models.addObject();
      entry.put("model_id", model.modelId());
      model.roles().forEach(entry.putArray("roles")::add);
      entry.setAll(modelMeta(model, scheduler));
    }
    out.put("in_flight", scheduler.inFlight());
    out.put("waiting", scheduler.waitingCount());
    return out;
  }

  /** {@code GET /v1/models}: every model this node can serve, in the OpenAI list shape. */
  static ObjectNode models(AgentConfig config, ModelScheduler scheduler, long createdEpochSeconds) {
    ObjectNode out = JSON.createObjectNode();
    out.put("object", "list");
    ArrayNode data = out.putArray("data");
    for (ModelSpec model : config.models()) {
      ObjectNode entry = data.addObject();
      entry.put("id", model.modelId());
      entry.put("object", "model");
      entry.put("created", createdEpochSeconds);
      entry.put("owned_by", config.nodeId());
      entry.set("meta", modelMeta(model, scheduler));
    }
    return out;
  }

  /** @return {@code gpu}: where it is loaded, else the GPU it is pinned to, else null (any GPU, or the CPU slot) */
  private static ObjectNode modelMeta(ModelSpec model, ModelScheduler scheduler) {
    GpuSlot slot = scheduler.slotOf(model);
    ObjectNode meta = JSON.createObjectNode();
    meta.put("file", model.fileName());
    meta.put("ctx", model.ctx());
    meta.put("quant", model.quantisation());
    meta.put("gpu", slot != null ? slot.gpu() : model.gpu());
    meta.put("loaded", slot != null);
    // the gateway's cache_affinity counts a node full when its requests in flight fill these
    meta.put("parallel", model.parallel());
    return meta;
  }

  private static ObjectNode host(HostFacts host) {
    ObjectNode out = JSON.createObjectNode();
    out.put("hostname", host.hostname());
    out.put("cpus", host.cpus());
    out.put("ram_total_bytes", host.ramTotalBytes());
    out.put("ram_free_bytes", host.ramFreeBytes());
    ArrayNode gpus = out.putArray("gpus");
    for (HostFacts.Gpu gpu : host.gpus()) {
      ObjectNode entry = gpus.addObject();
      entry.put("index", gpu.index());
      entry.put("name", gpu.name());
      entry.put("memory_total_mib", gpu.memoryTotalMib());
      entry.put("memory_used_mib", gpu.memoryUsedMib());
    }
    if (host.gpuError() != null) {
      out.put("gpu_error", host.gpuError());
    }
    return out;
  }

  private static ArrayNode servers(ModelScheduler scheduler) {
    ArrayNode out = JSON.createArrayNode();
    for (GpuSlot.Snapshot server : scheduler.snapshots()) {
      ObjectNode entry = out.addObject();
      entry.put("gpu", server.gpu());
      entry.put("state", server.state());
      entry.put("model", server.model());
      if (server.next() != null) {
        entry.put("next_model", server.next());
      }
      entry.put("port", server.port());
      entry.put("pid", server.pid());
      entry.put("uptime_s", server.uptimeSeconds());
      entry.put("restarts", server.restarts());
      entry.put("loads", server.loads());
      entry.put("in_flight", server.inFlight());
      if (server.error() != null) {
        // Keeps registrations well under the gateway's body limit even with every GPU failed.
        String error = server.error();
        entry.put("error", error.length() > MAX_ERROR_CHARS ? error.substring(0, MAX_ERROR_CHARS) + "..." : error);
      }
    }
    return out;
  }
}
