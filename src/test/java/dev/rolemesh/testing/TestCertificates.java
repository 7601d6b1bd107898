package dev.rolemesh.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A throwaway private CA made with the {@code openssl} command, as an operator would make one, and the certificates
 * it signs: servers for 127.0.0.1 and localhost, and clients for mutual TLS. Plus what a Java client needs to trust
 * the CA and present a client certificate.
 */
public final class TestCertificates {

  private final Path dir;
  private final String caName;

  private TestCertificates(Path dir, String caName) {
    this.dir = dir;
    this.caName = caName;
  }

  /** A new CA with its key, {@code <name>.pem} and {@code <name>.key} in {@code dir}. */
  public static TestCertificates newCa(Path dir, String name) {
    TestCertificates ca = new TestCertificates(dir, name);
    ca.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + name,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return ca;
  }

  public Path caFile() {
    return dir.resolve(caName + ".pem");
  }

  /** A server certificate for 127.0.0.1 and localhost: {@code <name>.pem} and {@code <name>.key}. */
  public Path server(String name) {
    return sign(name, "subjectAltName=IP:127.0.0.1,DNS:localhost", "extendedKeyUsage=serverAuth");
  }

  /** A client certificate for mutual TLS: {@code <name>.pem} and {@code <name>.key}. */
  public Path client(String name) {
    return sign(name, "extendedKeyUsage=clientAuth", "keyUsage=critical,digitalSignature");
  }

  public Path keyFile(String name) {
    return dir.resolve(name + ".key");
  }

  public Path certFile(String name) {
    return dir.resolve(name + ".pem");
  }

  private Path sign(String name, String... extensions) {
    List<String> args = new ArrayList<>(List.of("req", "-x509", "-CA", caName + ".pem", "-CAkey", caName + ".key",
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
        "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + name));
    for (String extension : extensions) {
      args.add("-addext");
      args.add(extension);
    }
    openssl(args.toArray(String[]::new));
    return certFile(name);
  }

  private void openssl(String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError("openssl failed: " + command + "\n" + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Trusts this CA only. */
  public X509TrustManager trustManager() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", certificates(caFile()).getFirst());
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return (X509TrustManager) factory.getTrustManagers()[0];
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Trusts this CA; presents the client certificate {@code clientName} when not null. */
  public SSLContext sslContext(String clientName) {
    try {
      KeyManagerFactory keys = null;
      if (clientName != null) {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", privateKey(keyFile(clientName)), new char[0],
            certificates(certFile(clientName)).toArray(Certificate[]::new));
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), new javax.net.ssl.TrustManager[] {trustManager()},
          null);
      return context;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<Certificate> certificates(Path pem) throws Exception {
    try (var in = new ByteArrayInputStream(Files.readAllBytes(pem))) {
      return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
  }

  private static PrivateKey privateKey(Path pem) throws Exception {
    String text = Files.readString(pem);
    String base64 = text.substring(text.indexOf("-----BEGIN PRIVATE KEY-----") + 27, text.indexOf("-----END"))
        .replaceAll("\\s", "");
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
        .decode(base64)));
  }
}
