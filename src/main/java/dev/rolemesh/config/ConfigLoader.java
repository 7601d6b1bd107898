package dev.rolemesh.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/** Loads the gateway's configuration: the one entry point the command line and tests use. */
public final class ConfigLoader {

  /** Names the config file when {@code --config} is not given. */
  public static final String CONFIG_ENV = "ROLE_MESH_CONFIG";

  /** The config file when neither {@code --config} nor {@link #CONFIG_ENV} names one, relative to the working dir. */
  public static final Path DEFAULT_CONFIG = Path.of("configs", "models.yaml");

  private ConfigLoader() {}

  /** {@code --config} if given, else {@code $ROLE_MESH_CONFIG} if set and not blank, else {@link #DEFAULT_CONFIG}. */
  public static Path chooseConfigPath(Path cliConfig, Map<String, String> env) {
    if (cliConfig != null) {
      return cliConfig;
    }
    String fromEnv = env.get(CONFIG_ENV);
    return fromEnv == null || fromEnv.isBlank() ? DEFAULT_CONFIG : Path.of(fromEnv);
  }

  /**
   * Reads {@code config}, merges {@code overrideOrNull} over it, expands {@code ${ENV}} references from {@code env}
   * and checks the result against the gateway schema.
   *
   * @param warnings receives one line per ignored key or value; loading goes on
   * @throws ConfigException for anything that makes the configuration unusable, with a one-line message naming
   *     the file and field path
   */
  public static GatewayConfig load(
      Path config, Path overrideOrNull, Map<String, String> env, Consumer<String> warnings)
      throws ConfigException {
    try {
      return GatewayConfigBinder.bind(ConfigTreeLoader.load(config, overrideOrNull, env, warnings), config);
    } catch (RuntimeException e) {
      // Callers print the message and exit; a bug here should still read as one line about the config in hand.
      throw new ConfigException(config + ": cannot load configuration (" + e + ")", e);
    }
  }
}
