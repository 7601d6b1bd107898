package dev.rolemesh.http;

import dev.rolemesh.config.Timeouts;
import io.vertx.core.net.ClientSSLOptions;
import java.net.URI;

/**
 * One concrete backend a request can be sent to.
 *
 * @param baseUrl scheme://host:port plus an optional path prefix, without a trailing slash
 * @param model the model name the backend expects in the forwarded body
 * @param apiKey sent as {@code Authorization: Bearer}, or null
 * @param nodeId the registered node behind it, or null for a fixed proxy upstream
 * @param tls the CA and client certificate for an https backend, or null for the JDK's trusted roots
 * @param slots requests the backend serves at once (a node's reported or {@code /slots} capacity, a proxy role's
 *     {@code max_concurrent}); 0 when unknown, which means no limit
 */
public record Upstream(URI baseUrl, String model, String apiKey, Timeouts timeouts, String nodeId,
    ClientSSLOptions tls, int slots) {

  public Upstream(URI baseUrl, String model, String apiKey, Timeouts timeouts, String nodeId, ClientSSLOptions tls) {
    this(baseUrl, model, apiKey, timeouts, nodeId, tls, 0);
  }

  public Upstream(URI baseUrl, String model, String apiKey, Timeouts timeouts, String nodeId) {
    this(baseUrl, model, apiKey, timeouts, nodeId, null);
  }

  public String host() {
    return baseUrl.getHost();
  }

  public int port() {
    int port = baseUrl.getPort();
    if (port != -1) {
      return port;
    }
    return ssl() ? 443 : 80;
  }

  public boolean ssl() {
    return "https".equalsIgnoreCase(baseUrl.getScheme());
  }

  /** The path to request upstream for a gateway path such as {@code /v1/chat/completions}. */
  public String pathFor(String gatewayPath) {
    String prefix = baseUrl.getRawPath();
    return prefix == null || prefix.isEmpty() ? gatewayPath : prefix + gatewayPath;
  }

  @Override
  public String toString() {
    return baseUrl.toString();
  }
}
