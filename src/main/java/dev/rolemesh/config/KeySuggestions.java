package dev.rolemesh.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Which known key a misspelt one was probably meant to be: {@code proxy_ulr} → {@code proxy_url}. */
final class KeySuggestions {

  private KeySuggestions() {}

  /**
   * The candidate closest to {@code key} within two edits (one for keys of up to three letters, where two edits
   * would make almost anything a match), ignoring case, or empty.
   */
  static Optional<String> closest(String key, Collection<String> candidates) {
    int limit = key.length() <= 3 ? 1 : 2;
    String best = null;
    int bestDistance = limit + 1;
    for (String candidate : candidates) {
      if (candidate.equals(key)) {
        continue;
      }
      int distance = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Edits between two strings, a swap of neighbours counting as one (optimal string alignment distance). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
