package dev.rolemesh.routing;

import dev.rolemesh.config.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A configured alias prepared once at startup for the request path.
 *
 * @param bodyDefaults the {@code defaults} to fill in, without {@code model}
 * @param modelOverride {@code defaults.model}: the name sent upstream instead of the alias (Ollama needs it), or null
 */
public record Role(ModelConfig config, Map<String, Object> bodyDefaults, String modelOverride) {

  public static Role of(ModelConfig config) {
    Map<String, Object> defaults = new LinkedHashMap<>(config.defaults());
    Object model = defaults.remove("model");
    return new Role(config, Map.copyOf(defaults), model == null ? null : String.valueOf(model));
  }

  public String alias() {
    return config.alias();
  }
}
