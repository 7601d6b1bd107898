package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;

/**
 * The parts of a generating request (chat, text completion, Anthropic messages, responses) the simulator acts on; everything else (sampling knobs, tools, ...)
 * is accepted and ignored.
 *
 * @param prompt the prompt's tokens, see {@link PromptTokens}
 * @param nPredict tokens to generate at most, -1 for "until the context is full"
 * @param stream whether to answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}: add the usage chunk with empty {@code choices}
 * @param ignoreEos keep generating past the end of the story
 * @param temperature echoed in /slots only
 */
record InferenceRequest(
    PromptTokens prompt, int nPredict, boolean stream, boolean includeUsage, boolean ignoreEos, double temperature) {

  int promptTokens() {
    return prompt.size();
  }

  /** Parses a /v1/chat/completions body; the prompt is the messages rendered in a ChatML-like template. */
  static InferenceRequest chat(JsonNode body, int defaultNPredict) {
    JsonNode messages = requireMessages(body);
    if (body.path("n").asInt(1) != 1) {
      throw LlamaError.invalidRequest("Only one completion choice is allowed");
    }
    return parse(body, prompt(null, messages), defaultNPredict, openAiLimit(body));
  }

  /** A request that takes a slot for {@code promptTokens} tokens of work and never reuses a cached prefix. */
  static InferenceRequest uncacheable(int promptTokens, int nPredict) {
    return new InferenceRequest(PromptTokens.uncacheable(promptTokens), nPredict, false, false, false, 0.0);
  }

  /**
   * Parses an Anthropic /v1/messages (or /v1/messages/count_tokens) body: {@code system} (a string or text blocks)
   * and {@code messages}, rendered like a chat; {@code max_tokens} is the limit.
   */
  static InferenceRequest messages(JsonNode body, int defaultNPredict) {
    JsonNode messages = requireMessages(body);
    return parse(body, prompt(body.path("system"), messages), defaultNPredict, openAiLimit(body));
  }

  /**
   * Parses an OpenAI /v1/responses body: {@code input} as a string (one user message) or an array of messages,
   * {@code instructions} as the system message, {@code max_output_tokens} as the limit.
   */
  static InferenceRequest responses(JsonNode body, int defaultNPredict) {
    JsonNode input = body.path("input");
    if (input.isMissingNode()) {
      throw LlamaError.invalidRequest("'input' is required");
    }
    JsonNode messages = input.isArray() ? input
        : Json.MAPPER.createArrayNode().add(Json.object().put("role", "user").put("content", input.asText()));
    return parse(body, prompt(body.path("instructions"), messages), defaultNPredict,
        body.path("max_output_tokens"));
  }

  /** Parses a /v1/completions body; a prompt given as an array of token ids counts one token per id. */
  static InferenceRequest completion(JsonNode body, int defaultNPredict) {
    JsonNode prompt = body.path("prompt");
    if (prompt.isMissingNode()) {
      throw LlamaError.invalidRequest("\"prompt\" is required");
    }
    boolean tokenIds = prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isNumber();
    PromptTokens tokens = tokenIds ? PromptTokens.ids(prompt) : PromptTokens.text(text(prompt));
    return parse(body, tokens, defaultNPredict, openAiLimit(body));
  }

  /** The text of a prompt or message content: a string, or the concatenated strings or {@code text} parts of an array. */
  static String text(JsonNode content) {
    if (!content.isArray()) {
      return content.isTextual() ? content.asText() : "";
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      text.append(part.isTextual() ? part.asText() : part.path("text").asText());
    }
    return text.toString();
  }

  private static JsonNode requireMessages(JsonNode body) {
    JsonNode messages = body.path("messages");
    if (messages.isMissingNode()) {
      throw LlamaError.invalidRequest("'messages' is required");
    }
    if (!messages.isArray()) {
      throw LlamaError.invalidRequest("Expected 'messages' to be an array");
    }
    return messages;
  }

  private static PromptTokens prompt(JsonNode system, JsonNode messages) {
    StringBuilder prompt = new StringBuilder();
    if (system != null && !system.isMissingNode() && !system.isNull()) {
      prompt.append("<|im_start|>system\n").append(text(system)).append("<|im_end|>\n");
    }
    for (JsonNode message : messages) {
      prompt.append("<|im_start|>").append(message.path("role").asText()).append('\n')
          .append(text(message.path("content"))).append("<|im_end|>\n");
    }
    prompt.append("<|im_start|>assistant\n");
    return PromptTokens.text(prompt.toString());
  }

  // llama-server's precedence: its own n_predict, then OpenAI's names (Anthropic's max_tokens is one of them)
  private static JsonNode openAiLimit(JsonNode body) {
    return body.hasNonNull("n_predict") ? body.get("n_predict")
        : body.hasNonNull("max_tokens") ? body.get("max_tokens")
        : body.path("max_completion_tokens");
  }

  private static InferenceRequest parse(JsonNode body, PromptTokens prompt, int defaultNPredict, JsonNode limit) {
    int nPredict = limit.isNumber() ? Math.max(-1, limit.asInt()) : defaultNPredict;
    return new InferenceRequest(
        prompt,
        nPredict,
        body.path("stream").asBoolean(false),
        body.path("stream_options").path("include_usage").asBoolean(false),
        body.path("ignore_eos").asBoolean(false),
        body.path("temperature").asDouble(0.8));
  }
}
