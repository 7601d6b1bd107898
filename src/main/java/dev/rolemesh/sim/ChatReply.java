package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.util.List;

/** {@code chat.completion} and {@code chat.completion.chunk} bodies, in llama-server's field order. */
final class ChatReply implements GenerationReply {

  static final String SYSTEM_FINGERPRINT = "b0-unknown";

  @Override
  public ObjectNode full(Outcome outcome) {
    ObjectNode body = Json.object();
    ObjectNode choice = body.putArray("choices").addObject()
        .put("finish_reason", outcome.finishReason())
        .put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", outcome.text());
    Outcome.Identity identity = outcome.identity();
    body.put("created", identity.created())
        .put("model", identity.model())
        .put("system_fingerprint", SYSTEM_FINGERPRINT)
        .put("object", "chat.completion");
    body.set("usage", outcome.usageJson());
    body.put("id", identity.id());
    body.set("timings", outcome.timings().toJson());
    return body;
  }

  @Override
  public List<ObjectNode> opening(Outcome.Identity identity) {
    ObjectNode chunk = chunk(identity);
    ObjectNode delta = choice(chunk, null).putObject("delta").put("role", "assistant");
    delta.putNull("content");
    return List.of(chunk);
  }

  @Override
  public ObjectNode token(Outcome.Identity identity, String token) {
    ObjectNode chunk = chunk(identity);
    choice(chunk, null).putObject("delta").put("content", token);
    return chunk;
  }

  @Override
  public List<ObjectNode> closing(Outcome outcome, boolean includeUsage) {
    ObjectNode finish = chunk(outcome.identity());
    choice(finish, outcome.finishReason()).putObject("delta");
    if (!includeUsage) {
      finish.set("timings", outcome.timings().toJson());
      return List.of(finish);
    }
    // OpenAI's spelling of the usage chunk: empty choices; llama-server moves the timings onto it
    ObjectNode usage = chunk(outcome.identity());
    usage.set("usage", outcome.usageJson());
    usage.set("timings", outcome.timings().toJson());
    return List.of(finish, usage);
  }

  private static ObjectNode chunk(Outcome.Identity identity) {
    ObjectNode chunk = Json.object();
    chunk.putArray("choices");
    return chunk.put("created", identity.created())
        .put("id", identity.id())
        .put("model", identity.model())
        .put("system_fingerprint", SYSTEM_FINGERPRINT)
        .put("object", "chat.completion.chunk");
  }

  private static ObjectNode choice(ObjectNode chunk, String finishReason) {
    ArrayNode choices = (ArrayNode) chunk.get("choices");
    return choices.addObject().put("finish_reason", finishReason).put("index", 0);
  }
}
