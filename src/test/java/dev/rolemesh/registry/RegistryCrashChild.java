package dev.rolemesh.registry;

import dev.rolemesh.observability.JsonLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;

/**
 * Run as its own JVM by {@link RegistryCrashTest}: registers and deregisters nodes as fast as it can, so saves of
 * the registry follow each other without pause, until the test kills it with SIGKILL. Each registration carries its
 * sequence number in {@code meta.seq} (so the test can see saves progress) and padding of varying length (so a torn
 * write could not go unnoticed).
 */
public final class RegistryCrashChild {

  private RegistryCrashChild() {}

  public static void main(String[] args) throws Exception {
    NodeRegistry registry = NodeRegistry.open(
        new RegistrySettings(Path.of(args[0]), Duration.ofSeconds(30), InstantSource.system()), JsonLog.stdout());
    long start = registry.nodes().stream().mapToLong(node -> node.meta().path("seq").asLong()).max().orElse(0);
    for (long seq = start + 1; ; seq++) {
      String body = "{\"node_id\":\"node-" + seq % 40 + "\",\"base_url\":\"http://10.0.0." + seq % 250 + ":8000\","
          + "\"served_models\":[{\"model_id\":\"m-" + seq + "\",\"roles\":[\"reviewer\",\"coder\"]}],"
          + "\"meta\":{\"seq\":" + seq + ",\"pad\":\"" + "x".repeat((int) (seq * 7919 % 3000)) + "\"}}";
      registry.register(NodeJson.registration(body.getBytes(StandardCharsets.UTF_8)));
      // Not waited for: saves must follow each other without pause.
      if (seq % 7 == 0) {
        registry.deregister("node-" + (seq / 7) % 40);
      }
    }
  }
}
