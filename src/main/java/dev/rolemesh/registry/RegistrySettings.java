package dev.rolemesh.registry;

import dev.rolemesh.config.ConfigException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;

/**
 * How the node registry runs: where it is saved and when a silent node goes stale. These come from the environment
 * ({@value #STATE_DIR_ENV}, {@value #STALE_AFTER_ENV}); the CLI reads it and passes the values in, so the library
 * never reads process-wide state.
 *
 * @param stateDir where {@code registry.json} lives, or null to keep the registry in memory only
 * @param staleAfter how long after its last register or heartbeat a node stops receiving traffic
 * @param clock the time staleness is measured with (tests substitute one they can move)
 * @param heartbeatSaveDelay how long a heartbeat's {@code last_seen} may wait to be saved: a fleet's heartbeats cost
 *     one write per delay, not one each
 */
public record RegistrySettings(Path stateDir, Duration staleAfter, InstantSource clock, Duration heartbeatSaveDelay) {

  public static final String STATE_DIR_ENV = "ROLE_MESH_STATE_DIR";
  public static final String STALE_AFTER_ENV = "ROLE_MESH_NODE_STALE_AFTER_S";
  public static final Path DEFAULT_STATE_DIR = Path.of("./state");
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(30);
  public static final Duration DEFAULT_HEARTBEAT_SAVE_DELAY = Duration.ofSeconds(5);

  public RegistrySettings {
    if (staleAfter.isNegative() || staleAfter.isZero()) {
      throw new IllegalArgumentException("staleAfter must be positive, got " + staleAfter);
    }
  }

  public RegistrySettings(Path stateDir, Duration staleAfter, InstantSource clock) {
    this(stateDir, staleAfter, clock, DEFAULT_HEARTBEAT_SAVE_DELAY);
  }

  /**
   * The settings an environment asks for: unset or empty variables take the defaults.
   *
   * @throws ConfigException when {@value #STALE_AFTER_ENV} is not a positive number of seconds
   */
  public static RegistrySettings fromEnv(Map<String, String> env) throws ConfigException {
    String dir = env.getOrDefault(STATE_DIR_ENV, "").strip();
    String stale = env.getOrDefault(STALE_AFTER_ENV, "").strip();
    return new RegistrySettings(
        dir.isEmpty() ? DEFAULT_STATE_DIR : Path.of(dir),
        stale.isEmpty() ? DEFAULT_STALE_AFTER : seconds(stale),
        InstantSource.system());
  }

  /** Nothing written to disk: for embedding the gateway and for tests that do not exercise persistence. */
  public static RegistrySettings inMemory() {
    return new RegistrySettings(null, DEFAULT_STALE_AFTER, InstantSource.system());
  }

  private static Duration seconds(String text) throws ConfigException {
    try {
      BigDecimal seconds = new BigDecimal(text);
      Duration duration = Duration.ofNanos(seconds.movePointRight(9).toBigInteger().longValueExact());
      if (duration.toMillis() > 0) {
        return duration;
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // Reported below with the same message as a non-positive value.
    }
    throw new ConfigException(STALE_AFTER_ENV + " must be a positive number of seconds (such as 30 or 2.5), got '"
        + text + "'");
  }
}
