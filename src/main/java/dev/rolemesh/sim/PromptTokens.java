package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;

/**
 * A prompt as the simulator's stand-in tokens, which is what a slot's prompt cache compares: each 4 characters of the
 * rendered text are one token (matching {@link TokenSource#estimateTokens}), packed losslessly so equal tokens mean
 * equal text; a {@code /v1/completions} prompt of token ids keeps its ids. Prompts of embeddings, reranking and
 * transcription are only a size: they occupy a slot but never share a prefix.
 */
final class PromptTokens {

  private final long[] tokens;
  private final int size;

  private PromptTokens(long[] tokens, int size) {
    this.tokens = tokens;
    this.size = size;
  }

  static PromptTokens text(String text) {
    long[] tokens = new long[TokenSource.estimateTokens(text)];
    for (int i = 0; i < text.length(); i++) {
      tokens[i / 4] = tokens[i / 4] << 16 | text.charAt(i);
    }
    return new PromptTokens(tokens, tokens.length);
  }

  /** A prompt given as an array of token ids. */
  static PromptTokens ids(JsonNode ids) {
    long[] tokens = new long[ids.size()];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = ids.get(i).asLong();
    }
    return new PromptTokens(tokens, tokens.length);
  }

  static PromptTokens uncacheable(int size) {
    return new PromptTokens(null, size);
  }

  int size() {
    return size;
  }

  /** Leading tokens this prompt has in common with {@code other}. */
  int sharedPrefix(PromptTokens other) {
    if (tokens == null || other == null || other.tokens == null) {
      return 0;
    }
    int mismatch = Arrays.mismatch(tokens, other.tokens);
    return mismatch < 0 ? tokens.length : mismatch;
  }
}
