package dev.rolemesh.http;

import dev.rolemesh.config.ClientTls;
import dev.rolemesh.config.ServerTls;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;

/** The TLS sections of the config as Vert.x options: PEM files, read by Vert.x when a listener or client uses them. */
public final class TlsOptions {

  private TlsOptions() {}

  /**
   * A listener's certificate and, with a client CA, the client certificates it accepts.
   *
   * @param requireClientCert every connection must present a certificate (the agent); otherwise one is only asked
   *     for, and the routes that need it check it (the gateway's node calls)
   */
  public static ServerSSLOptions server(ServerTls tls, boolean requireClientCert) {
    ServerSSLOptions options = new ServerSSLOptions().setKeyCertOptions(new PemKeyCertOptions()
        .setCertPath(tls.certFile().toString()).setKeyPath(tls.keyFile().toString()));
    if (tls.clientCaFile() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(tls.clientCaFile().toString()))
          .setClientAuth(requireClientCert ? ClientAuth.REQUIRED : ClientAuth.REQUEST);
    }
    return options;
  }

  /** Plain HTTP options made to listen with {@code ssl}. */
  public static HttpServerOptions listen(HttpServerOptions options, ServerSSLOptions ssl) {
    options.setSsl(true).setKeyCertOptions(ssl.getKeyCertOptions()).setClientAuth(ssl.getClientAuth());
    if (ssl.getTrustOptions() != null) {
      options.setTrustOptions(ssl.getTrustOptions());
    }
    return options;
  }

  /** For calling an https server; with the host name checked against its certificate. Null for null. */
  public static ClientSSLOptions client(ClientTls tls) {
    if (tls == null) {
      return null;
    }
    ClientSSLOptions options = new ClientSSLOptions().setHostnameVerificationAlgorithm("HTTPS");
    if (tls.caFile() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile().toString()));
    }
    if (tls.certFile() != null) {
      options.setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(tls.certFile().toString()).setKeyPath(tls.keyFile().toString()));
    }
    return options;
  }
}
