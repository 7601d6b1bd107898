package dev.rolemesh.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/** A JDK response with its body as text, which a test can also read as JSON. */
public final class JsonResponse implements HttpResponse<String> {

  private final HttpResponse<String> response;

  JsonResponse(HttpResponse<String> response) {
    this.response = response;
  }

  /** The body parsed; fails the test when it is not JSON. */
  public JsonNode json() {
    return Json.parse(response.body());
  }

  @Override
  public int statusCode() {
    return response.statusCode();
  }

  @Override
  public HttpRequest request() {
    return response.request();
  }

  @Override
  public Optional<HttpResponse<String>> previousResponse() {
    return response.previousResponse();
  }

  @Override
  public HttpHeaders headers() {
    return response.headers();
  }

  @Override
  public String body() {
    return response.body();
  }

  @Override
  public Optional<SSLSession> sslSession() {
    return response.sslSession();
  }

  @Override
  public URI uri() {
    return response.uri();
  }

  @Override
  public HttpClient.Version version() {
    return response.version();
  }

  /** Status and body, for failure messages. */
  @Override
  public String toString() {
    return response.statusCode() + " " + response.body();
  }
}
