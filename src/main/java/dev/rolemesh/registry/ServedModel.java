package dev.rolemesh.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One model a node serves.
 *
 * @param modelId the name the node expects as {@code model} in a forwarded request
 * @param roles the discovered roles this model can take, without duplicates
 * @param meta operator-facing metadata as the node sent it (an object, never mutated after parsing)
 */
public record ServedModel(String modelId, List<String> roles, JsonNode meta) {

  /** Its parallel slots, {@code meta.parallel} (the node agent sends llama-server's {@code --parallel}); 0 if unsaid. */
  public int slots() {
    JsonNode parallel = meta == null ? null : meta.get("parallel");
    return parallel != null && parallel.canConvertToInt() && parallel.asInt() > 0 ? parallel.asInt() : 0;
  }
}
