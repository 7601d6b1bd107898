package dev.rolemesh.cli;

import dev.rolemesh.config.ConfigException;
import dev.rolemesh.config.ConfigLoader;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.lifecycle.Reloader;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.registry.RegistrySettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    JsonLog log = JsonLog.stdout();
    Path file = ConfigLoader.chooseConfigPath(config, env);
    // A reload reads exactly what startup read: the same files, environment and flags.
    Reloader.Source<GatewayConfig> source = () -> GatewayRunner.withListen(
        ConfigLoader.load(file, override, env, warning -> log.warn("config_warning", warning)), host, port);
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
    List<Path> watched = !watch ? List.of() : override == null ? List.of(file) : List.of(file, override);
    return GatewayRunner.serve(loaded, source, watched, registry, log);
  }
}
