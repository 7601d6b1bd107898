package dev.rolemesh.config;

import java.util.List;
import java.util.Map;

/**
 * One entry under {@code models:}.
 *
 * @param alias the key under {@code models:}, what clients send as {@code model}
 * @param openaiModelName the id {@code GET /v1/models} lists (defaults to the alias)
 * @param defaults body keys filled in when the request lacks them; {@code model} here replaces the alias upstream
 * @param timeouts this model's limits, already merged with {@code gateway.timeouts}
 * @param target where requests for this alias go
 * @param fallbacks {@code fallbacks}: the aliases that take a request this one cannot serve now, in order; each is
 *     a configured alias other than this one, and following them never leads back here
 * @param queue how requests wait when every backend is full, already merged with {@code gateway.queue}
 */
public record ModelConfig(
    String alias,
    String openaiModelName,
    Map<String, Object> defaults,
    Timeouts timeouts,
    ModelTarget target,
    List<String> fallbacks,
    QueueSettings queue) {

  /** A model without fallbacks, with the default queue. */
  public ModelConfig(String alias, String openaiModelName, Map<String, Object> defaults, Timeouts timeouts,
      ModelTarget target) {
    this(alias, openaiModelName, defaults, timeouts, target, List.of(), QueueSettings.DEFAULTS);
  }

  /** With the default queue. */
  public ModelConfig(String alias, String openaiModelName, Map<String, Object> defaults, Timeouts timeouts,
      ModelTarget target, List<String> fallbacks) {
    this(alias, openaiModelName, defaults, timeouts, target, fallbacks, QueueSettings.DEFAULTS);
  }

  /** Without fallbacks. */
  public ModelConfig(String alias, String openaiModelName, Map<String, Object> defaults, Timeouts timeouts,
      ModelTarget target, QueueSettings queue) {
    this(alias, openaiModelName, defaults, timeouts, target, List.of(), queue);
  }
}
