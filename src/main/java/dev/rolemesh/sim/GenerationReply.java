package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** The JSON shapes of one generating endpoint, whole and as a stream of chunks. */
interface GenerationReply {

  /** The non-streaming answer. */
  ObjectNode full(Outcome outcome);

  /** Chunks sent before the first token. */
  List<ObjectNode> opening(Outcome.Identity identity);

  /** The chunk carrying one token. */
  ObjectNode token(Outcome.Identity identity, String token);

  /** Chunks after the last token, before {@code data: [DONE]} (if the stream has one). */
  List<ObjectNode> closing(Outcome outcome, boolean includeUsage);

  /**
   * Whether every chunk goes out as a named SSE event ({@code event: <its type>}) and the stream ends without
   * {@code data: [DONE]}, as the Anthropic Messages and OpenAI Responses streams do.
   */
  default boolean namedEvents() {
    return false;
  }
}
