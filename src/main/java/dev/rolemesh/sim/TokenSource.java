package dev.rolemesh.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulator's "model": a canned tiny story, cut into word and punctuation tokens, and a token-count estimate for
 * prompts.
 *
 * <p>Every answer starts at the beginning of the story, so a test can predict the text exactly ({@code text(n)}).
 * When the story runs out, the model "emits EOS" and the answer finishes with {@code stop}, unless the request sets
 * {@code ignore_eos}, in which case the story starts over.
 */
public final class TokenSource {

  private static final String STORY =
      "Once upon a time, there was a little fox named Pip. Pip lived in a green wood near a quiet river. Every"
          + " morning, Pip ran to the river to say hello to the fish. One day, the river was very loud. Pip saw a"
          + " small duck stuck on a rock. \"Do not be scared,\" said Pip. Pip found a long stick and held it out."
          + " The duck climbed onto the stick and came back to the grass. The duck was happy and said thank you."
          + " From that day on, Pip and the duck played by the river every morning. They were best friends.";

  private static final List<String> TOKENS = tokenize(STORY);

  private TokenSource() {}

  /** Tokens in the story before the simulated EOS. */
  public static int storyLength() {
    return TOKENS.size();
  }

  /** The {@code index}-th generated token (0-based); past the end of the story it starts over. */
  public static String token(int index) {
    String token = TOKENS.get(index % TOKENS.size());
    // the very first token has no leading space; a restarted story needs one to stay readable
    return index == 0 ? token : (index % TOKENS.size() == 0 ? " " + token : token);
  }

  /** The text of the first {@code count} generated tokens. */
  public static String text(int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      text.append(token(i));
    }
    return text.toString();
  }

  /**
   * Estimated token count of a prompt: one token per 4 characters, rounded up, at least 1. Real tokenizers average
   * roughly that on English text; the simulator only needs a count that grows with the prompt.
   */
  public static int estimateTokens(String text) {
    return Math.max(1, (text.length() + 3) / 4);
  }

  private static List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    Matcher matcher = Pattern.compile(" ?(?:[A-Za-z']+|[^A-Za-z'\\s])").matcher(text);
    while (matcher.find()) {
      tokens.add(matcher.group());
    }
    return List.copyOf(tokens);
  }
}
