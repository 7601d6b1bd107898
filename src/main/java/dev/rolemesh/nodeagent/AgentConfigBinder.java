package dev.rolemesh.nodeagent;

import dev.rolemesh.config.ClientTimeouts;
import dev.rolemesh.config.ConfigException;
import dev.rolemesh.config.ConfigMap;
import dev.rolemesh.config.ConfigNode;
import dev.rolemesh.config.ConfigTreeLoader;
import dev.rolemesh.config.ServerTls;
import dev.rolemesh.config.TlsSections;
import dev.rolemesh.http.NodeIds;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Loads the node agent's config with the gateway's merge and {@code ${ENV}} rules and checks it. */
public final class AgentConfigBinder {

  private static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
  private static final Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration DEFAULT_SWITCH_WAIT = Duration.ofMinutes(2);
  private static final Duration DEFAULT_FAILED_RETRY = Duration.ofSeconds(30);
  private static final Duration DEFAULT_RESTART_BACKOFF = Duration.ofSeconds(1);
  /** Long: a non-streamed generation is silent until it is done, and the gateway's own read_s is the real limit. */
  static final Duration DEFAULT_READ = Duration.ofHours(1);
  static final int DEFAULT_MAX_WAITING = 256;

  private AgentConfigBinder() {}

  /**
   * @param overrideOrNull merged over {@code config} as for the gateway: mappings by key, lists and scalars replaced
   * @throws ConfigException with one line naming the file and field at fault
   */
  public static AgentConfig load(Path config, Path overrideOrNull, Map<String, String> env, Consumer<String> warnings)
      throws ConfigException {
    try {
      return bind(ConfigTreeLoader.load(config, overrideOrNull, env, warnings), config);
    } catch (RuntimeException e) {
      throw new ConfigException(config + ": cannot load configuration (" + e + ")", e);
    }
  }

  private static AgentConfig bind(ConfigNode root, Path source) throws ConfigException {
    ConfigMap top = root.asMap();
    ConfigNode nodeIdNode = top.get("node_id");
    String nodeId = required(nodeIdNode, "like gpu-box-1").asNonBlankString();
    // The gateway refuses such ids at registration: refusing them here fails at start instead of forever.
    String problem = NodeIds.problem(nodeId);
    if (problem != null) {
      throw nodeIdNode.error(problem);
    }
    ConfigMap listen = top.get("listen").asMap();
    String host = listen.get("host").readOr(AgentConfig.DEFAULT_HOST, ConfigNode::asNonBlankString);
    int port = listen.get("port").readOr(AgentConfig.DEFAULT_PORT, node -> node.asInt(0, 65535));
    ServerTls tls = TlsSections.server(listen.get("tls"), false);
    listen.warnUnknownKeys();
    AgentConfig.Gateway gateway = top.get("gateway").isNull() ? null : gateway(top.get("gateway").asMap());
    URI baseUrl = top.get("base_url").readOr(null, ConfigNode::asUrl);
    if (baseUrl == null && gateway != null && (host.equals("0.0.0.0") || host.equals("::"))) {
      throw top.get("base_url").error("required when listen.host is " + host
          + ": the gateway needs an address it can reach, like http://10.0.0.12:8091");
    }
    AgentConfig.LlamaServer llama = llamaServer(required(top.get("llama_server"), "with at least binary:"));
    List<Integer> gpus = gpus(top.get("gpus"));
    List<ModelSpec> models = models(required(top.get("models"), "a list of {model_id, path, roles}"), gpus);
    String nvidiaSmi = top.get("nvidia_smi").readOr("nvidia-smi", ConfigNode::asNonBlankString);
    Path stateDir = top.get("state_dir")
        .readOr(AgentConfig.DEFAULT_STATE_DIR, node -> Path.of(node.asNonBlankString()));
    ConfigMap auth = top.get("auth").asMap();
    List<String> apiKeys = auth.get("api_keys").readOr(List.of(), ConfigNode::asStringList);
    Duration shutdownGrace = top.get("shutdown_grace_s").readOr(AgentConfig.DEFAULT_SHUTDOWN_GRACE,
        ConfigNode::asSeconds);
    auth.warnUnknownKeys();
    ClientTimeouts clientTimeouts = top.get("client_timeouts").readOr(ClientTimeouts.DEFAULTS, ClientTimeouts::read);
    top.warnUnknownKeys();
    return new AgentConfig(nodeId, host, port, baseUrl, gateway, llama, gpus, models, nvidiaSmi, stateDir, apiKeys,
        tls, shutdownGrace, source, clientTimeouts);
  }

  private static ConfigNode required(ConfigNode node, String hint) throws ConfigException {
    if (node.isNull()) {
      throw node.error("required, " + hint);
    }
    return node;
  }

  private static AgentConfig.Gateway gateway(ConfigMap gateway) throws ConfigException {
    AgentConfig.Gateway out = new AgentConfig.Gateway(required(gateway.get("url"), "like http://10.0.0.2:8000").asUrl(),
        gateway.get("node_key").readOr(null, ConfigNode::asNonBlankString),
        gateway.get("heartbeat_s").readOr(DEFAULT_HEARTBEAT, ConfigNode::asSeconds),
        TlsSections.client(gateway.get("tls"), true));
    gateway.warnUnknownKeys();
    return out;
  }

  private static AgentConfig.LlamaServer llamaServer(ConfigNode node) throws ConfigException {
    ConfigMap llama = node.asMap();
    ConfigNode binaryNode = required(llama.get("binary"), "the llama-server executable");
    String binary = binaryNode.asNonBlankString();
    // A bare name is looked up on PATH at launch; a path can be checked now, before any request depends on it.
    if (binary.contains("/") && !Files.isExecutable(Path.of(binary))) {
      throw binaryNode.error("no executable file at " + binary);
    }
    AgentConfig.LlamaServer out = new AgentConfig.LlamaServer(
        binary,
        llama.get("ready_timeout_s").readOr(DEFAULT_READY_TIMEOUT, ConfigNode::asSeconds),
        llama.get("stop_timeout_s").readOr(DEFAULT_STOP_TIMEOUT, ConfigNode::asSeconds),
        llama.get("switch_wait_s").readOr(DEFAULT_SWITCH_WAIT, ConfigNode::asSeconds),
        llama.get("idle_unload_s").readOr(null, ConfigNode::asSeconds),
        llama.get("failed_retry_s").readOr(DEFAULT_FAILED_RETRY, ConfigNode::asSeconds),
        llama.get("restart_backoff_s").readOr(DEFAULT_RESTART_BACKOFF, ConfigNode::asSeconds),
        llama.get("read_s").readOr(DEFAULT_READ, ConfigNode::asSeconds),
        llama.get("max_waiting").readOr(DEFAULT_MAX_WAITING, count -> count.asInt(0, 1_000_000)));
    llama.warnUnknownKeys();
    return out;
  }

  private static List<Integer> gpus(ConfigNode node) throws ConfigException {
    List<Integer> gpus = new ArrayList<>();
    for (ConfigNode item : node.readOr(List.<ConfigNode>of(), ConfigNode::asList)) {
      int index = item.asInt(0, 1023);
      if (gpus.contains(index)) {
        throw item.error("GPU " + index + " is listed twice");
      }
      gpus.add(index);
    }
    return List.copyOf(gpus);
  }

  private static List<ModelSpec> models(ConfigNode node, List<Integer> gpus) throws ConfigException {
    List<ConfigNode> items = node.asList();
    if (items.isEmpty()) {
      throw node.error("must list at least one model, like {model_id: planner-gguf, path: /models/x.gguf, roles:"
          + " [planner]}");
    }
    List<ModelSpec> models = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (ConfigNode item : items) {
      ModelSpec model = model(item, gpus);
      String first = seen.putIfAbsent(model.modelId(), item.path().toString());
      if (first != null) {
        throw item.asMap().get("model_id").error("\"" + model.modelId() + "\" is already used by " + first);
      }
      models.add(model);
    }
    return List.copyOf(models);
  }

  private static ModelSpec model(ConfigNode node, List<Integer> gpus) throws ConfigException {
    ConfigMap model = node.asMap();
    String modelId = required(model.get("model_id"), "the name requests use as \"model\"").asNonBlankString();
    String path = required(model.get("path"), "the weight file, like /models/x.Q5_K_M.gguf").asNonBlankString();
    List<String> roles = required(model.get("roles"), "like [planner]").asStringList();
    if (roles.isEmpty()) {
      throw model.get("roles").error("must name at least one role");
    }
    ConfigNode gpuNode = model.get("gpu");
    Integer gpu = gpuNode.readOr(null, value -> value.asInt(0, 1023));
    if (gpu != null && !gpus.contains(gpu)) {
      throw gpuNode.error(gpus.isEmpty()
          ? "no gpus are configured (add gpus: [" + gpu + "] or remove gpu:)"
          : "must be one of gpus " + gpus + ", got " + gpu);
    }
    ModelSpec spec = new ModelSpec(modelId, path, roles,
        args(model.get("args")),
        model.get("ctx").readOr(null, value -> value.asInt(0, Integer.MAX_VALUE)),
        gpu);
    model.warnUnknownKeys();
    return spec;
  }

  /**
   * llama-server takes the last {@code --host} it sees, so one here would override the agent's 127.0.0.1 and open
   * the server to the network; a {@code --port} would move it away from where the agent sends requests.
   */
  private static List<String> args(ConfigNode node) throws ConfigException {
    List<String> args = node.readOr(List.of(), ConfigNode::asStringList);
    for (String arg : args) {
      String flag = arg.split("=", 2)[0];
      if (flag.equals("--host") || flag.equals("--port")) {
        throw node.error("must not set " + flag + ", got \"" + arg + "\": the agent runs every llama-server on"
            + " 127.0.0.1 and a port it picks, so that only the agent can reach it");
      }
    }
    return args;
  }
}
