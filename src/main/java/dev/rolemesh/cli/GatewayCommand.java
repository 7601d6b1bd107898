package dev.rolemesh.cli;

import dev.rolemesh.config.ConfigException;
import dev.rolemesh.config.ConfigLoader;
import dev.rolemesh.config.GatewayConfig;
import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.registry.RegistrySettings;
import java.nio.file.Path;
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

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    JsonLog log = JsonLog.stdout();
    GatewayConfig loaded;
    RegistrySettings registry;
    try {
      loaded = ConfigLoader.load(ConfigLoader.chooseConfigPath(config, env), override, env,
          warning -> log.warn("config_warning", warning));
      registry = RegistrySettings.fromEnv(env);
    } catch (ConfigException e) {
      log.flush();
      System.err.println("rolemesh: " + e.getMessage());
      return 2;
    }
    return GatewayRunner.serve(GatewayRunner.withListen(loaded, host, port), registry, log);
  }
}
