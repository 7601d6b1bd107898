package dev.rolemesh.config;

import java.nio.file.Path;

/**
 * How to call an https server: a model's {@code tls}, the gateway's {@code node_tls}, the agent's {@code gateway.tls}.
 *
 * @param caFile the PEM CA bundle that signs the server's certificate, or null for the JDK's trusted roots
 * @param certFile the PEM client certificate to present (mutual TLS), or null
 * @param keyFile its PEM private key, given exactly when {@code certFile} is
 */
public record ClientTls(Path caFile, Path certFile, Path keyFile) {}
