package dev.rolemesh.sim;

import static dev.rolemesh.sim.MessagesReply.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.util.List;

/**
 * OpenAI Responses bodies ({@code POST /v1/responses}) as llama-server writes them: a {@code response} with one
 * {@code message} output item, and streamed the named events {@code response.created}, {@code response.in_progress},
 * {@code response.output_item.added}, {@code response.content_part.added}, one {@code response.output_text.delta}
 * per token, then {@code response.output_text.done}, {@code response.content_part.done},
 * {@code response.output_item.done} and {@code response.completed} (with usage and llama-server's timings).
 * llama-server sends neither {@code sequence_number} nor {@code output_index}.
 */
final class ResponsesReply implements GenerationReply {

  private final String responseId = Outcome.Identity.randomId("resp_");
  private final String messageId = Outcome.Identity.randomId("msg_");

  @Override
  public ObjectNode full(Outcome outcome) {
    Outcome.Identity identity = outcome.identity();
    ObjectNode body = Json.object()
        .put("completed_at", System.currentTimeMillis() / 1000)
        .put("created_at", identity.created())
        .put("id", responseId)
        .put("model", identity.model())
        .put("object", "response");
    ObjectNode item = body.putArray("output").addObject();
    item.putArray("content").add(outputText(outcome.text()));
    item.put("id", messageId).put("role", "assistant").put("status", "completed").put("type", "message");
    body.put("status", "completed");
    body.set("usage", usage(outcome));
    return body;
  }

  @Override
  public List<ObjectNode> opening(Outcome.Identity identity) {
    ObjectNode added = event("response.output_item.added");
    ObjectNode item = added.putObject("item");
    item.putArray("content");
    item.put("id", messageId).put("role", "assistant").put("status", "in_progress").put("type", "message");
    ObjectNode partAdded = event("response.content_part.added").put("item_id", messageId);
    partAdded.putObject("part").put("type", "output_text").put("text", "");
    return List.of(progress("response.created"), progress("response.in_progress"), added, partAdded);
  }

  @Override
  public ObjectNode token(Outcome.Identity identity, String token) {
    return event("response.output_text.delta").put("item_id", messageId).put("delta", token);
  }

  @Override
  public List<ObjectNode> closing(Outcome outcome, boolean includeUsage) {
    String text = outcome.text();
    ObjectNode textDone = event("response.output_text.done").put("item_id", messageId).put("text", text);
    ObjectNode partDone = event("response.content_part.done").put("item_id", messageId);
    partDone.set("part", outputText(text));
    ObjectNode itemDone = event("response.output_item.done");
    itemDone.set("item", doneItem(text));
    ObjectNode completed = event("response.completed");
    ObjectNode response = completed.putObject("response")
        .put("id", responseId)
        .put("object", "response")
        .put("created_at", outcome.identity().created())
        .put("status", "completed")
        .put("model", outcome.identity().model());
    response.putArray("output").add(doneItem(text));
    response.set("usage", usage(outcome));
    completed.set("timings", outcome.timings().toJson());
    return List.of(textDone, partDone, itemDone, completed);
  }

  @Override
  public boolean namedEvents() {
    return true;
  }

  private ObjectNode progress(String type) {
    ObjectNode event = event(type);
    event.putObject("response").put("id", responseId).put("object", "response").put("status", "in_progress");
    return event;
  }

  // the finished item as the stream spells it: another key order than the non-streaming body's
  private ObjectNode doneItem(String text) {
    ObjectNode item = Json.object().put("type", "message").put("status", "completed").put("id", messageId);
    item.putArray("content").add(outputText(text));
    return item.put("role", "assistant");
  }

  private static ObjectNode outputText(String text) {
    ObjectNode part = Json.object().put("type", "output_text");
    part.putArray("annotations");
    part.putArray("logprobs");
    return part.put("text", text);
  }

  private static ObjectNode usage(Outcome outcome) {
    ObjectNode usage = Json.object()
        .put("input_tokens", outcome.promptTokens())
        .put("output_tokens", outcome.completionTokens())
        .put("total_tokens", outcome.promptTokens() + outcome.completionTokens());
    usage.putObject("input_tokens_details").put("cached_tokens", outcome.cachedTokens());
    return usage;
  }
}
