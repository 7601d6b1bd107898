package dev.rolemesh.routing;

import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.config.ModelConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the {@code model} a client sent to a configured role. Clients may send the alias or the
 * {@code openai_model_name} that {@code GET /v1/models} advertised; a request without a model gets the default.
 * Each role's fallback chain ({@link FallbackChain}) is worked out here, once per config.
 */
public final class RoleTable {

  private final Map<String, Role> byAlias = new LinkedHashMap<>();
  private final Map<String, Role> byAdvertisedName = new HashMap<>();
  private final Map<String, List<Role>> fallbacks = new HashMap<>();
  private final Role defaultRole;

  public RoleTable(GatewayConfig config) {
    for (ModelConfig model : config.models().values()) {
      Role role = Role.of(model);
      byAlias.put(model.alias(), role);
      byAdvertisedName.putIfAbsent(model.openaiModelName(), role);
    }
    for (String alias : byAlias.keySet()) {
      fallbacks.put(alias, FallbackChain.of(alias, each -> config.models().get(each).fallbacks()).stream()
          .map(byAlias::get).toList());
    }
    this.defaultRole = byAlias.get(config.defaultModel());
  }

  /** The roles to try, in order, when {@code role} cannot take a request now; empty without fallbacks. */
  public List<Role> fallbacks(Role role) {
    return fallbacks.get(role.alias());
  }

  /** The role for a requested model name, or null when nothing matches. */
  public Role resolve(String requested) {
    if (requested == null || requested.isEmpty()) {
      return defaultRole;
    }
    Role role = byAlias.get(requested);
    return role != null ? role : byAdvertisedName.get(requested);
  }

  public Role defaultRole() {
    return defaultRole;
  }

  public List<Role> roles() {
    return new ArrayList<>(byAlias.values());
  }

  public List<String> aliases() {
    return List.copyOf(byAlias.keySet());
  }
}
