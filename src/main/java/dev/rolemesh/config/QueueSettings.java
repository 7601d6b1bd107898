package dev.rolemesh.config;

import java.time.Duration;

/**
 * A role's admission queue ({@code queue:} in {@code gateway}, the default, and per model): how many requests may
 * wait for a free slot when every backend of the role is full, and for how long.
 *
 * @param maxWaiting requests that may wait at once ({@code max_waiting}, default 256); one more is refused at once
 * @param maxWait how long one request may wait ({@code max_wait_s}, default 30)
 */
public record QueueSettings(int maxWaiting, Duration maxWait) {

  public static final QueueSettings DEFAULTS = new QueueSettings(256, Duration.ofSeconds(30));

  /** Reads a {@code queue:} mapping; each key left out keeps its value in {@code inherited}. */
  public static QueueSettings read(ConfigNode node, QueueSettings inherited) throws ConfigException {
    ConfigMap map = node.asMap();
    QueueSettings settings = new QueueSettings(
        map.get("max_waiting").readOr(inherited.maxWaiting(), value -> value.asInt(0, 1_000_000)),
        map.get("max_wait_s").readOr(inherited.maxWait(), ConfigNode::asSeconds));
    map.warnUnknownKeys();
    return settings;
  }
}
