package dev.rolemesh.cli;

import dev.rolemesh.config.ConfigException;
import dev.rolemesh.config.ConfigLoader;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.lifecycle.Reloader;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.registry.RegistrySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rolemesh-gateway}: load the config (exit 2 with one line if it is bad), then serve until stopped. */
@Command(name = "gateway", mixinStandardHelpOptions = true, description = "Run the RoleMesh gateway.")
final class GatewayCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE",
      description = "Config file (default: $ROLE_MESH_CONFIG, else configs/models.yaml).")
  Path config;

  @Option(names = "--config-override", paramLabel = "FILE",
      description = "Merged over --config: maps merge, lists and scalars replace.")
  Path override;

  @Option(names = "--host", description = "Listen address (overrides gateway.host; default 127.0.0.1).")
  String host;

  @Option(names = "--port", description = "Listen port (overrides gateway.port; default 8000).")
  Integer port;

  @Option(names = "--watch", description = "Reload the config when its files change (SIGHUP always reloads).")
  boolean watch;

  @Mixin
  LogOptions logOptions = new LogOptions();

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    String badPort = Listening.portProblem("--port", port);
    if (badPort != null) {
      System.err.println("rolemesh: " + badPort);
      return 2;
    }
    Path configPath = ConfigLoader.chooseConfigPath(config, env);
    if (configPath.equals(ConfigLoader.DEFAULT_CONFIG) && !Files.exists(configPath)) {
      System.err.println("rolemesh: no config: " + configPath.toAbsolutePath() + " does not exist; copy"
          + " configs/models.example.yaml there, or name a config with --config FILE or " + ConfigLoader.CONFIG_ENV
          + "=FILE (bin/rolemesh demo needs none)");
      return 2;
    }
    JsonLog log;
    try {
      log = logOptions.open(env);
    } catch (IllegalArgumentException e) {
      System.err.println("rolemesh: " + e.getMessage());
      return 2;
    }
    // A reload reads exactly what startup read: the same files, environment and flags.
    Reloader.Source<GatewayConfig> source = () -> GatewayRunner.withListen(
        ConfigLoader.load(configPath, override, env, warning -> log.warn("config_warning", warning)), host, port);
    GatewayConfig loaded;
    RegistrySettings registry;
    try {
      loaded = source.load();
      registry = RegistrySettings.fromEnv(env);
    } catch (ConfigException e) {
      log.flush();
      System.err.println("rolemesh: " + e.getMessage());
      return 2;
    }
    List<Path> watched = !watch ? List.of() : override == null ? List.of(configPath) : List.of(configPath, override);
    return GatewayRunner.serve(loaded, source, watched, registry, log);
  }
}
