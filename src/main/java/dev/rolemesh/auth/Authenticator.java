package dev.rolemesh.auth;

import io.vertx.core.http.HttpServerRequest;

/** Decides who sent a request from its headers alone, before its body is read. */
public interface Authenticator {

  /** The caller, or null when the request carries no credential this authenticator accepts. */
  Principal authenticate(HttpServerRequest request);

  /** What a refused caller is told: which credential is missing and how to send it. */
  String challenge();
}
