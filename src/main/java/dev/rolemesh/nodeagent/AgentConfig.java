package dev.rolemesh.nodeagent;

import dev.rolemesh.config.ClientTimeouts;
import dev.rolemesh.config.ClientTls;
import dev.rolemesh.config.ServerTls;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The node agent's checked configuration (configs/node_agent.example.yaml documents every key).
 *
 * @param baseUrl what the gateway is told to call: the agent's own address as seen from the gateway
 * @param gateway where to register, or null to run without a gateway
 * @param gpus GPU indexes, one llama-server each; empty means a single CPU slot
 * @param nvidiaSmi the program queried for GPU facts; absent means CPU facts only
 * @param stateDir where the agent records the servers it runs, to kill those a crashed run left behind
 * @param apiKeys {@code auth.api_keys}: a caller of anything but the health checks needs one; empty means none does
 * @param tls {@code listen.tls}: the listener's certificate (and the CA its callers' certificates must come from), or
 *     null for plain HTTP
 * @param shutdownGrace how long a stopping agent lets requests in flight finish before it cuts them and stops its
 *     servers ({@code shutdown_grace_s}, default 30)
 * @param source the base config file, for messages
 * @param clientTimeouts how long the agent waits on its clients ({@code client_timeouts}, the gateway's defaults)
 */
public record AgentConfig(
    String nodeId,
    String host,
    int port,
    URI baseUrl,
    Gateway gateway,
    LlamaServer llamaServer,
    List<Integer> gpus,
    List<ModelSpec> models,
    String nvidiaSmi,
    Path stateDir,
    List<String> apiKeys,
    ServerTls tls,
    Duration shutdownGrace,
    Path source,
    ClientTimeouts clientTimeouts) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8091;
  public static final Path DEFAULT_STATE_DIR = Path.of("./state/node-agent");
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

  /**
   * @param url the gateway's root, without {@code /v1}
   * @param nodeKey sent as {@code X-RoleMesh-Node-Key}, or null when the gateway takes no node keys
   * @param heartbeat time between heartbeats, and the longest wait between registration retries
   * @param tls the CA of an https gateway and the client certificate it may require, or null
   */
  public record Gateway(URI url, String nodeKey, Duration heartbeat, ClientTls tls) {

    public Gateway(URI url, String nodeKey, Duration heartbeat) {
      this(url, nodeKey, heartbeat, null);
    }
  }

  /**
   * How llama-server processes are run.
   *
   * @param binary the llama-server executable (a path, or a name looked up on PATH)
   * @param readyTimeout a server whose /health is not ready by then is stopped and reported failed
   * @param stopTimeout grace after SIGTERM before SIGKILL
   * @param switchWait how long a request waits for its model to load before a 503 with Retry-After
   * @param idleUnload a server with no request for this long is stopped, or null to keep servers loaded
   * @param failedRetry how long a model that failed to start is refused before a request may try it again
   * @param restartBackoff delay before restarting a crashed server, doubled for each crash in a row
   * @param read longest silence from llama-server, before its headers or between two chunks, before a 504
   * @param maxWaiting requests that may wait for a model to load at once; more get a 503 with Retry-After
   */
  public record LlamaServer(
      String binary,
      Duration readyTimeout,
      Duration stopTimeout,
      Duration switchWait,
      Duration idleUnload,
      Duration failedRetry,
      Duration restartBackoff,
      Duration read,
      int maxWaiting) {}

  /** This config with what a reload changes in a running agent taken from {@code loaded}: models and grace. */
  public AgentConfig withReloadable(AgentConfig loaded) {
    return new AgentConfig(nodeId, host, port, baseUrl, gateway, llamaServer, gpus, loaded.models(), nvidiaSmi,
        stateDir, apiKeys, tls, loaded.shutdownGrace(), source, clientTimeouts);
  }

  /** The configured model with this id, or null. */
  public ModelSpec model(String modelId) {
    for (ModelSpec model : models) {
      if (model.modelId().equals(modelId)) {
        return model;
      }
    }
    return null;
  }
}
