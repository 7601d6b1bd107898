package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.util.List;

/**
 * Anthropic Messages bodies ({@code POST /v1/messages}) as llama-server writes them: a {@code message} with one text
 * block, and streamed the named events {@code message_start}, {@code content_block_start}, one
 * {@code content_block_delta} per token, {@code content_block_stop}, {@code message_delta} (stop reason and output
 * tokens) and {@code message_stop}.
 */
final class MessagesReply implements GenerationReply {

  private final int promptTokens;

  MessagesReply(int promptTokens) {
    this.promptTokens = promptTokens;
  }

  @Override
  public ObjectNode full(Outcome outcome) {
    ObjectNode message = message(outcome.identity(), stopReason(outcome.finishReason()));
    message.withArrayProperty("content").addObject().put("type", "text").put("text", outcome.text());
    message.set("usage", usage(outcome.completionTokens()));
    return message;
  }

  @Override
  public List<ObjectNode> opening(Outcome.Identity identity) {
    ObjectNode start = event("message_start");
    ObjectNode message = message(identity, null);
    message.set("usage", usage(0));
    start.set("message", message);
    ObjectNode blockStart = event("content_block_start").put("index", 0);
    blockStart.putObject("content_block").put("type", "text").put("text", "");
    return List.of(start, blockStart);
  }

  @Override
  public ObjectNode token(Outcome.Identity identity, String token) {
    ObjectNode delta = event("content_block_delta").put("index", 0);
    delta.putObject("delta").put("type", "text_delta").put("text", token);
    return delta;
  }

  @Override
  public List<ObjectNode> closing(Outcome outcome, boolean includeUsage) {
    ObjectNode messageDelta = event("message_delta");
    messageDelta.putObject("delta").put("stop_reason", stopReason(outcome.finishReason())).putNull("stop_sequence");
    messageDelta.putObject("usage").put("output_tokens", outcome.completionTokens());
    return List.of(event("content_block_stop").put("index", 0), messageDelta, event("message_stop"));
  }

  @Override
  public boolean namedEvents() {
    return true;
  }

  private static ObjectNode message(Outcome.Identity identity, String stopReason) {
    ObjectNode message = Json.object().put("id", identity.id()).put("type", "message").put("role", "assistant");
    message.putArray("content");
    message.put("model", identity.model()).put("stop_reason", stopReason).putNull("stop_sequence");
    return message;
  }

  // the simulator has no prompt cache, so nothing is ever read from it
  private ObjectNode usage(int outputTokens) {
    return Json.object()
        .put("cache_read_input_tokens", 0)
        .put("input_tokens", promptTokens)
        .put("output_tokens", outputTokens);
  }

  private static String stopReason(String finishReason) {
    return finishReason.equals("length") ? "max_tokens" : "end_turn";
  }

  static ObjectNode event(String type) {
    return Json.object().put("type", type);
  }
}
