package dev.rolemesh.config;

import java.nio.file.Path;
import java.util.Set;

/**
 * A listener's TLS ({@code gateway.tls}, the agent's {@code listen.tls}): PEM files, read when the listener starts
 * and again when its certificates are reloaded.
 *
 * @param clientCaFile the PEM CA that signs client certificates, or null. On the gateway clients may then present
 *     one, and the calls in {@code requireClientCertFor} must; on the agent every connection must.
 * @param requireClientCertFor the gateway's calls that need a client certificate (empty on the agent)
 */
public record ServerTls(Path certFile, Path keyFile, Path clientCaFile, Set<ClientCertScope> requireClientCertFor) {

  /** Which calls need a client certificate. */
  public enum ClientCertScope {
    /** The gateway's node calls: register, heartbeat, deregister. */
    NODES
  }

  public boolean requiresClientCertFor(ClientCertScope scope) {
    return requireClientCertFor.contains(scope);
  }
}
