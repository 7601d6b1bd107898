package dev.rolemesh.auth;

import io.vertx.core.http.HttpServerRequest;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Mutual TLS in front of another authenticator: the connection must carry a client certificate that the TLS
 * handshake verified against the listener's client CA ({@code gateway.tls.client_ca_file}); then the keys are
 * checked as usual. The handshake already refused certificates from other CAs, so a session with peer certificates
 * is a verified one.
 */
public final class ClientCertificateCheck implements Authenticator {

  private final Authenticator then;

  public ClientCertificateCheck(Authenticator then) {
    this.then = then;
  }

  @Override
  public Principal authenticate(HttpServerRequest request) {
    SSLSession session = request.isSSL() ? request.connection().sslSession() : null;
    if (session == null) {
      return null;
    }
    try {
      session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException noCertificate) {
      return null;
    }
    return then.authenticate(request);
  }

  @Override
  public String challenge() {
    return "A client certificate signed by the gateway's client CA (gateway.tls.client_ca_file) is required here. "
        + then.challenge();
  }
}
