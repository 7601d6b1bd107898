package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;

/**
 * The body of GET /v1/models as llama-server writes it: an Ollama-style {@code models[]} and OpenAI's {@code data[]},
 * whose {@code meta} describes a tiny model (the vocabulary and parameter count of stories260K).
 */
final class ModelsJson {

  private ModelsJson() {}

  /** @param fileSize the model file's size in bytes, 0 when there is none */
  static ObjectNode render(SimOptions options, long fileSize) {
    String name = options.modelName();
    ObjectNode body = Json.object();
    ObjectNode model = body.putArray("models").addObject()
        .put("name", name)
        .put("model", name)
        .put("modified_at", "")
        .put("size", "")
        .put("digest", "")
        .put("type", "model")
        .put("description", "");
    model.putArray("tags").add("");
    model.putArray("capabilities").add("completion");
    model.put("parameters", "");
    ObjectNode details = model.putObject("details").put("parent_model", "").put("format", "gguf").put("family", "");
    details.putArray("families").add("");
    details.put("parameter_size", "").put("quantization_level", "");
    body.put("object", "list");
    ObjectNode entry = body.putArray("data").addObject().put("id", name);
    ArrayNode aliases = entry.putArray("aliases");
    if (options.alias() != null && !options.alias().isBlank()) {
      aliases.add(options.alias());
    }
    entry.putArray("tags");
    entry.put("object", "model")
        .put("created", System.currentTimeMillis() / 1000)
        .put("owned_by", "llamacpp")
        .putObject("meta")
        .put("vocab_type", 1)
        .put("n_vocab", 512)
        .put("n_ctx", options.ctxSize())
        .put("n_ctx_train", options.ctxSize())
        .put("n_embd", Embeddings.DIMENSIONS)
        .put("n_params", 292_800)
        .put("size", fileSize)
        .put("ftype", "(guessed) all F32");
    return body;
  }
}
