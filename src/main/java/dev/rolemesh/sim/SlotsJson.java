package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;

/**
 * The body of GET /slots as llama-server writes it: a slot that never ran a task shows four fields; one that did also
 * shows that task, its sampling parameters (llama-server's defaults, except what the simulator takes from the
 * request) and its progress.
 */
final class SlotsJson {

  private static final String[] SAMPLERS = {
    "penalties", "dry", "top_n_sigma", "top_k", "typ_p", "top_p", "min_p", "xtc", "temperature"
  };

  private SlotsJson() {}

  static ArrayNode render(SlotPool pool, int nCtx) {
    ArrayNode body = Json.array();
    for (SlotPool.Slot slot : pool.slots()) {
      ObjectNode entry = body.addObject()
          .put("id", slot.id)
          .put("n_ctx", nCtx)
          .put("speculative", false)
          .put("is_processing", slot.processing);
      if (slot.task != null) {
        InferenceRequest request = slot.task.request();
        entry.put("id_task", slot.task.idTask())
            .put("n_prompt_tokens", request.promptTokens())
            .put("n_prompt_tokens_processed", slot.task.processedTokens())
            .put("n_prompt_tokens_cache", slot.task.cachedTokens());
        entry.set("params", params(request));
        int remain = request.nPredict() < 0 ? -1 : request.nPredict() - slot.decoded;
        entry.putArray("next_token").addObject()
            .put("has_next_token", slot.processing)
            .put("has_new_line", false)
            .put("n_remain", remain)
            .put("n_decoded", slot.decoded);
      }
    }
    return body;
  }

  private static ObjectNode params(InferenceRequest request) {
    ObjectNode params = Json.object()
        .put("seed", 4294967295L)
        .put("temperature", request.temperature())
        .put("dynatemp_range", 0.0)
        .put("dynatemp_exponent", 1.0)
        .put("top_k", 40)
        .put("top_p", 0.949999988079071)
        .put("min_p", 0.05000000074505806)
        .put("top_n_sigma", -1.0)
        .put("xtc_probability", 0.0)
        .put("xtc_threshold", 0.10000000149011612)
        .put("typical_p", 1.0)
        .put("repeat_last_n", 64)
        .put("repeat_penalty", 1.0)
        .put("presence_penalty", 0.0)
        .put("frequency_penalty", 0.0)
        .put("dry_multiplier", 0.0)
        .put("dry_base", 1.75)
        .put("dry_allowed_length", 2)
        .put("dry_penalty_last_n", 64)
        .put("mirostat", 0)
        .put("mirostat_tau", 5.0)
        .put("mirostat_eta", 0.10000000149011612)
        .put("adaptive_target", -1.0)
        .put("adaptive_decay", 0.8999999761581421)
        .put("max_tokens", request.nPredict())
        .put("n_predict", request.nPredict())
        .put("n_keep", 0)
        .put("n_discard", 0)
        .put("ignore_eos", request.ignoreEos())
        .put("stream", request.stream())
        .put("n_probs", 0)
        .put("min_keep", 0)
        .put("chat_format", "peg-native")
        .put("reasoning_format", "deepseek")
        .put("reasoning_in_content", false)
        .put("generation_prompt", "<|im_start|>assistant\n");
    ArrayNode samplers = params.putArray("samplers");
    for (String sampler : SAMPLERS) {
      samplers.add(sampler);
    }
    params.put("speculative.types", "none")
        .put("timings_per_token", false)
        .put("post_sampling_probs", false)
        .put("backend_sampling", false)
        .putArray("lora");
    return params;
  }
}
