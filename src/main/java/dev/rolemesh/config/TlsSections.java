package dev.rolemesh.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads the TLS sections of both configs. Files are checked for existence now, so a typo stops startup with the
 * field's name rather than as a handshake failure later; their contents are read by the listener or client.
 */
public final class TlsSections {

  private TlsSections() {}

  /**
   * {@code {cert_file, key_file, client_ca_file, require_client_cert_for}}, or null when the node is absent.
   *
   * @param scopes whether {@code require_client_cert_for} may be given (the gateway); without it (the agent) a
   *     {@code client_ca_file} makes every connection present a certificate
   */
  public static ServerTls server(ConfigNode node, boolean scopes) throws ConfigException {
    if (node.isNull()) {
      return null;
    }
    ConfigMap tls = node.asMap();
    Path cert = file(tls.get("cert_file"), true);
    Path key = file(tls.get("key_file"), true);
    Path clientCa = file(tls.get("client_ca_file"), false);
    Set<ServerTls.ClientCertScope> required = EnumSet.noneOf(ServerTls.ClientCertScope.class);
    if (scopes) {
      ConfigNode scopeNode = tls.get("require_client_cert_for");
      if (scopeNode.isNull()) {
        // nodes is the one scope there is: naming the CA is enough to ask for it.
        if (clientCa != null) {
          required.add(ServerTls.ClientCertScope.NODES);
        }
      } else if (clientCa == null) {
        throw scopeNode.error("needs client_ca_file: the CA that signs the client certificates");
      } else {
        for (ConfigNode item : scopeNode.asList()) {
          required.add(item.asEnum(ServerTls.ClientCertScope.class));
        }
      }
    }
    tls.warnUnknownKeys();
    return new ServerTls(cert, key, clientCa, Set.copyOf(required));
  }

  /** {@code {ca_file, cert_file, key_file}}, or null when the node is absent; {@code clientCert} allows the last two. */
  public static ClientTls client(ConfigNode node, boolean clientCert) throws ConfigException {
    if (node.isNull()) {
      return null;
    }
    ConfigMap tls = node.asMap();
    Path ca = file(tls.get("ca_file"), false);
    Path cert = clientCert ? file(tls.get("cert_file"), false) : null;
    Path key = clientCert ? file(tls.get("key_file"), false) : null;
    if ((cert == null) != (key == null)) {
      throw (cert == null ? tls.get("cert_file") : tls.get("key_file"))
          .error("required with " + (cert == null ? "key_file" : "cert_file") + ": a client certificate needs both");
    }
    tls.warnUnknownKeys();
    return new ClientTls(ca, cert, key);
  }

  private static Path file(ConfigNode node, boolean required) throws ConfigException {
    if (node.isNull()) {
      if (required) {
        throw node.error("required, a PEM file");
      }
      return null;
    }
    Path path = Path.of(node.asNonBlankString());
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw node.error("no readable file at " + path);
    }
    return path;
  }
}
