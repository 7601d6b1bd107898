package dev.rolemesh.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a loaded config tree into a checked {@link GatewayConfig}, applying the defaults of the schema. */
final class GatewayConfigBinder {

  private static final int SUPPORTED_VERSION = 1;
  private static final double BYTES_PER_MIB = 1024 * 1024;

  private enum ModelType {
    PROXY,
    DISCOVERED
  }

  private GatewayConfigBinder() {}

  static GatewayConfig bind(ConfigNode root, Path source) throws ConfigException {
    ConfigMap top = root.asMap();
    int version = top.get("version").readOr(
        SUPPORTED_VERSION, node -> node.asInt(SUPPORTED_VERSION, SUPPORTED_VERSION));
    ServerSettings gateway = server(top.get("gateway"));
    Map<String, ModelConfig> models = models(top.get("models"), gateway);
    AuthConfig auth = auth(top.get("auth"), models.keySet());
    String defaultModel = defaultModel(top.get("default_model"), models);
    top.warnUnknownKeys();
    return new GatewayConfig(version, defaultModel, gateway, auth, models, source);
  }

  private static ServerSettings server(ConfigNode node) throws ConfigException {
    ConfigMap gateway = node.asMap();
    ServerSettings settings = new ServerSettings(
        gateway.get("host").readOr(ServerSettings.DEFAULT_HOST, ConfigNode::asNonBlankString),
        gateway.get("port").readOr(ServerSettings.DEFAULT_PORT, port -> port.asInt(0, 65535)),
        timeouts(gateway.get("timeouts"), Timeouts.DEFAULTS),
        gateway.get("max_body_mb").readOr(
            ServerSettings.DEFAULT_MAX_BODY_BYTES, GatewayConfigBinder::mebibytes),
        gateway.get("probe_timeout_s").readOr(ServerSettings.DEFAULT_PROBE_TIMEOUT, ConfigNode::asSeconds),
        gateway.get("probe_cache_s").readOr(ServerSettings.DEFAULT_PROBE_CACHE_TTL, ConfigNode::asSeconds),
        gateway.get("metrics").readOr(true, ConfigNode::asBoolean),
        gateway.get("max_inflight_body_mb").readOr(null, GatewayConfigBinder::mebibytes),
        TlsSections.server(gateway.get("tls"), true),
        TlsSections.client(gateway.get("node_tls"), true),
        gateway.get("client_timeouts").readOr(ClientTimeouts.DEFAULTS, ClientTimeouts::read),
        gateway.get("shutdown_grace_s").readOr(ServerSettings.DEFAULT_SHUTDOWN_GRACE, ConfigNode::asSeconds),
        QueueSettings.read(gateway.get("queue"), QueueSettings.DEFAULTS));
    gateway.warnUnknownKeys();
    return settings;
  }

  private static Long mebibytes(ConfigNode node) throws ConfigException {
    return (long) Math.ceil(node.asPositiveNumber() * BYTES_PER_MIB);
  }

  /**
   * Each key left out keeps its {@code inherited} value. An explicit {@code total_s: null} means "no cap", so a
   * model can lift a cap set in {@code gateway.timeouts}; for the other keys null simply inherits.
   */
  private static Timeouts timeouts(ConfigNode node, Timeouts inherited) throws ConfigException {
    ConfigMap timeouts = node.asMap();
    Duration connect = timeouts.get("connect_s").readOr(inherited.connect(), ConfigNode::asSeconds);
    Duration read = timeouts.get("read_s").readOr(inherited.read(), ConfigNode::asSeconds);
    Duration total = timeouts.has("total_s")
        ? timeouts.get("total_s").readOr(null, ConfigNode::asSeconds)
        : inherited.total();
    Duration writeStall = timeouts.get("write_stall_s").readOr(inherited.writeStall(), ConfigNode::asSeconds);
    timeouts.warnUnknownKeys();
    return new Timeouts(connect, read, total, writeStall);
  }

  private static AuthConfig auth(ConfigNode node, Set<String> aliases) throws ConfigException {
    ConfigMap auth = node.asMap();
    AuthConfig config = new AuthConfig(
        ClientKeys.read(auth.get("client_api_keys"), aliases),
        auth.get("node_api_keys").readOr(List.of(), ConfigNode::asStringList),
        auth.get("node_upstream_key").readOr(null, ConfigNode::asNonBlankString),
        auth.get("metrics_api_keys").readOr(List.of(), ConfigNode::asStringList),
        auth.get("node_networks").readOr(List.of(), GatewayConfigBinder::networks));
    auth.warnUnknownKeys();
    return config;
  }

  private static List<Cidr> networks(ConfigNode node) throws ConfigException {
    List<Cidr> networks = new ArrayList<>();
    for (ConfigNode entry : node.asList()) {
      String text = entry.asNonBlankString();
      try {
        networks.add(Cidr.parse(text.strip()));
      } catch (IllegalArgumentException e) {
        throw entry.error(e.getMessage());
      }
    }
    return List.copyOf(networks);
  }

  private static Map<String, ModelConfig> models(ConfigNode node, ServerSettings gateway) throws ConfigException {
    ConfigMap models = node.asMap();
    if (models.isEmpty()) {
      throw node.error("must list at least one model alias, like planner: {type: proxy, proxy_url: ...}");
    }
    Map<String, ModelConfig> out = new LinkedHashMap<>();
    Map<String, ConfigNode> fallbacks = new LinkedHashMap<>();
    for (String alias : models.keys()) {
      out.put(alias, model(alias, models.get(alias), gateway, fallbacks));
    }
    Fallbacks.check(fallbacks, out);
    return Collections.unmodifiableMap(out);
  }

  /** @param fallbacks gets this model's {@code fallbacks} node, for {@link Fallbacks#check}'s messages */
  private static ModelConfig model(String alias, ConfigNode node, ServerSettings gateway,
      Map<String, ConfigNode> fallbacks) throws ConfigException {
    ConfigMap model = node.asMap();
    ConfigNode typeNode = model.get("type");
    if (typeNode.isNull()) {
      throw typeNode.error("required: proxy or discovered");
    }
    ModelTarget target = switch (typeNode.asEnum(ModelType.class)) {
      case PROXY -> proxy(model);
      case DISCOVERED -> discovered(alias, model);
    };
    ModelConfig config = new ModelConfig(
        alias,
        model.get("openai_model_name").readOr(alias, ConfigNode::asNonBlankString),
        model.get("defaults").readOr(Map.of(), ConfigNode::asFreeformMap),
        timeouts(model.get("timeouts"), gateway.timeouts()),
        target,
        Fallbacks.read(model.get("fallbacks")),
        QueueSettings.read(model.get("queue"), gateway.queue()));
    fallbacks.put(alias, model.get("fallbacks"));
    model.warnUnknownKeys();
    return config;
  }

  private static ModelTarget.Proxy proxy(ConfigMap model) throws ConfigException {
    warnIgnored(model, "discovered", "role", "strategy", "affinity_margin");
    ConfigNode url = model.get("proxy_url");
    if (url.isNull()) {
      throw url.error("required for type: proxy, like http://127.0.0.1:8011");
    }
    return new ModelTarget.Proxy(url.asUrl(), model.get("api_key").readOr(null, ConfigNode::asNonBlankString),
        TlsSections.client(model.get("tls"), true),
        model.get("max_concurrent").readOr(0, node -> node.asInt(1, 1_000_000)));
  }

  private static ModelTarget.Discovered discovered(String alias, ConfigMap model) throws ConfigException {
    // A node's capacity is what it reports (meta.parallel, else its /slots), not a config key.
    warnIgnored(model, "proxy", "proxy_url", "api_key", "tls", "max_concurrent");
    ModelTarget.Strategy strategy = model.get("strategy").readOr(
        ModelTarget.Strategy.ROUND_ROBIN, node -> node.asEnum(ModelTarget.Strategy.class));
    ConfigNode margin = model.get("affinity_margin");
    if (!margin.isNull() && strategy != ModelTarget.Strategy.CACHE_AFFINITY) {
      margin.warn("only used by strategy: cache_affinity (ignored)");
    }
    return new ModelTarget.Discovered(
        model.get("role").readOr(alias, ConfigNode::asNonBlankString),
        strategy,
        margin.readOr(ModelTarget.Discovered.DEFAULT_AFFINITY_MARGIN, node -> node.asInt(0, 1_000_000)));
  }

  // A key of the other model type is likely a leftover from switching types; say so rather than "unknown key".
  private static void warnIgnored(ConfigMap model, String otherType, String... keys) {
    for (String key : keys) {
      ConfigNode node = model.get(key);
      if (!node.isNull()) {
        node.warn("only used by type: " + otherType + " (ignored)");
      }
    }
  }

  /** The first alias when unset: a one-model config needs no default_model line. */
  private static String defaultModel(ConfigNode node, Map<String, ModelConfig> models) throws ConfigException {
    if (node.isNull()) {
      return models.keySet().iterator().next();
    }
    String alias = node.asNonBlankString();
    if (!models.containsKey(alias)) {
      throw node.error("must be one of the models (" + String.join(", ", models.keySet()) + "), got "
          + ConfigNode.describe(alias));
    }
    return alias;
  }
}
