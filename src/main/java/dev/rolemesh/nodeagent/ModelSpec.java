package dev.rolemesh.nodeagent;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of the agent's {@code models:} list: a weight file the agent can load into llama-server on demand.
 *
 * @param modelId the name requests use in {@code model} and the gateway learns at registration
 * @param path the weight file passed as {@code -m}
 * @param roles the gateway roles this model can serve
 * @param args extra llama-server arguments, appended after the ones the agent sets
 * @param ctx passed as {@code -c}, or null to leave llama-server's default
 * @param gpu the GPU this model must run on, or null for any
 */
public record ModelSpec(
    String modelId, String path, List<String> roles, List<String> args, Integer ctx, Integer gpu) {

  private static final int DEFAULT_PARALLEL = 4;

  // GGUF names carry the quantisation as a dash- or dot-separated tag: Q5_K_M, q8_0, IQ4_XS, F16, BF16.
  private static final Pattern QUANT = Pattern.compile(
      "(?:^|[-._])(I?Q[0-9](?:_[A-Z0-9]+)*|BF16|F16|F32)(?=[-._]|$)", Pattern.CASE_INSENSITIVE);

  /** The weight file's name without its directory. */
  public String fileName() {
    Path name = Path.of(path).getFileName();
    return name == null ? path : name.toString();
  }

  /** The quantisation named in the file name, upper-cased ({@code Q5_K_M}), or null when it names none. */
  public String quantisation() {
    String name = fileName().replaceFirst("(?i)\\.gguf$", "");
    Matcher matcher = QUANT.matcher(name);
    String found = null;
    while (matcher.find()) {
      found = matcher.group(1);
    }
    return found == null ? null : found.toUpperCase(Locale.ROOT);
  }

  /**
   * The slots its llama-server runs with: the last {@code -np}/{@code --parallel} among {@link #args}, else
   * llama-server's default of 4 ({@code -np -1}, "auto", is 4 too).
   */
  public int parallel() {
    int parallel = DEFAULT_PARALLEL;
    for (int i = 0; i + 1 < args.size(); i++) {
      if (args.get(i).equals("-np") || args.get(i).equals("--parallel")) {
        try {
          int value = Integer.parseInt(args.get(i + 1).trim());
          parallel = value > 0 ? value : DEFAULT_PARALLEL;
        } catch (NumberFormatException ignored) {
          // llama-server refuses to start with it; the agent reports that, not this
        }
      }
    }
    return parallel;
  }
}
