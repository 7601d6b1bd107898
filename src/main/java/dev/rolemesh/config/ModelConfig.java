package dev.rolemesh.config;

import java.util.Map;

/**
 * One entry under {@code models:}.
 *
 * @param alias the key under {@code models:}, what clients send as {@code model}
 * @param openaiModelName the id {@code GET /v1/models} lists (defaults to the alias)
 * @param defaults body keys filled in when the request lacks them; {@code model} here replaces the alias upstream
 * @param timeouts this model's limits, already merged with {@code gateway.timeouts}
 * @param target where requests for this alias go
 * @param queue how requests wait when every backend is full, already merged with {@code gateway.queue}
 */
public record ModelConfig(
    String alias,
    String openaiModelName,
    Map<String, Object> defaults,
    Timeouts timeouts,
    ModelTarget target,
    QueueSettings queue) {

  /** With the default queue. */
  public ModelConfig(String alias, String openaiModelName, Map<String, Object> defaults, Timeouts timeouts,
      ModelTarget target) {
    this(alias, openaiModelName, defaults, timeouts, target, QueueSettings.DEFAULTS);
  }
}
