package dev.rolemesh.routing;

import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.http.TlsOptions;
import io.vertx.core.net.ClientSSLOptions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A configured alias prepared once at startup for the request path.
 *
 * @param bodyDefaults the {@code defaults} to fill in, without {@code model}
 * @param modelOverride {@code defaults.model}: the name sent upstream instead of the alias (Ollama needs it), or null
 * @param tls a proxy role's {@code tls} as client options, made once rather than per request; null without one
 * @param servedBy the {@code X-RoleMesh-Served-By} value for each of its backends
 */
public record Role(ModelConfig config, Map<String, Object> bodyDefaults, String modelOverride, ClientSSLOptions tls,
    ServedBy servedBy) {

  public static Role of(ModelConfig config) {
    Map<String, Object> defaults = new LinkedHashMap<>(config.defaults());
    Object model = defaults.remove("model");
    ClientSSLOptions tls = config.target() instanceof ModelTarget.Proxy proxy ? TlsOptions.client(proxy.tls()) : null;
    return new Role(config, Map.copyOf(defaults), model == null ? null : String.valueOf(model), tls,
        ServedBy.of(config.alias(), config.target()));
  }

  public String alias() {
    return config.alias();
  }
}
