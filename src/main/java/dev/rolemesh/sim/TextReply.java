package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.util.List;

/**
 * {@code text_completion} bodies, in llama-server's field order. Streamed, every chunk is a {@code text_completion}
 * too; the last one carries an empty text, the finish reason, usage and timings.
 */
final class TextReply implements GenerationReply {

  @Override
  public ObjectNode full(Outcome outcome) {
    return finalBody(outcome, outcome.text());
  }

  @Override
  public List<ObjectNode> opening(Outcome.Identity identity) {
    return List.of();
  }

  @Override
  public ObjectNode token(Outcome.Identity identity, String token) {
    return head(identity, token, null).put("id", identity.id());
  }

  @Override
  public List<ObjectNode> closing(Outcome outcome, boolean includeUsage) {
    return List.of(finalBody(outcome, ""));
  }

  private static ObjectNode finalBody(Outcome outcome, String text) {
    ObjectNode body = head(outcome.identity(), text, outcome.finishReason());
    body.set("usage", outcome.usageJson());
    body.put("id", outcome.identity().id());
    body.set("timings", outcome.timings().toJson());
    return body;
  }

  private static ObjectNode head(Outcome.Identity identity, String text, String finishReason) {
    ObjectNode body = Json.object();
    ObjectNode choice = body.putArray("choices").addObject().put("text", text).put("index", 0);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    return body.put("created", identity.created())
        .put("model", identity.model())
        .put("system_fingerprint", ChatReply.SYSTEM_FINGERPRINT)
        .put("object", "text_completion");
  }
}
