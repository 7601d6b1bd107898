package dev.rolemesh.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The calls a test makes to one server (a gateway, a node agent) with the JDK client; headers are given as name,
 * value pairs. A call that fails to complete fails the test, except where the test asks for the JDK's own exception.
 */
public final class HttpCalls implements AutoCloseable {

  private final HttpClient client;
  private final Supplier<String> baseUrl;

  private HttpCalls(HttpClient.Version version, Supplier<String> baseUrl, SSLContext tls) {
    HttpClient.Builder builder = HttpClient.newBuilder().version(version);
    this.client = (tls == null ? builder : builder.sslContext(tls)).build();
    this.baseUrl = baseUrl;
  }

  private HttpCalls(HttpClient.Version version, Supplier<String> baseUrl) {
    this(version, baseUrl, null);
  }

  /** Over https, trusting (and presenting) what {@code tls} holds. */
  public static HttpCalls https(Supplier<String> baseUrl, SSLContext tls) {
    return new HttpCalls(HttpClient.Version.HTTP_1_1, baseUrl, tls);
  }

  /** @param baseUrl read at each call, so it may name a server that is not listening yet */
  public static HttpCalls http1(Supplier<String> baseUrl) {
    return new HttpCalls(HttpClient.Version.HTTP_1_1, baseUrl);
  }

  /**
   * The JDK client's default: it asks for HTTP/2 by h2c upgrade and goes on in HTTP/1.1 when the server does not
   * agree, as the gateway does (h2c is off there so that client_timeouts can time a head from its first byte).
   */
  public static HttpCalls preferringHttp2(Supplier<String> baseUrl) {
    return new HttpCalls(HttpClient.Version.HTTP_2, baseUrl);
  }

  public JsonResponse get(String path, String... headers) {
    return send(request(path, headers).GET());
  }

  public JsonResponse post(String path, String json, String... headers) {
    return send(jsonPost(path, json, headers));
  }

  public JsonResponse delete(String path, String... headers) {
    return send(request(path, headers).DELETE());
  }

  public CompletableFuture<JsonResponse> postAsync(String path, String json, String... headers) {
    return client.sendAsync(jsonPost(path, json, headers).build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(JsonResponse::new);
  }

  /** A POST whose body the test reads its own way (as it streams in), or whose failure it expects. */
  public <T> HttpResponse<T> post(String path, String json, HttpResponse.BodyHandler<T> body, String... headers)
      throws IOException, InterruptedException {
    return client.send(jsonPost(path, json, headers).build(), body);
  }

  @Override
  public void close() {
    client.close();
  }

  private HttpRequest.Builder jsonPost(String path, String json, String... headers) {
    return request(path, headers).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
  }

  // The timeout only bounds a broken run, like Await's deadline; for a streamed body it covers the headers only.
  private HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl.get() + path)).timeout(Await.DEADLINE);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return request;
  }

  private JsonResponse send(HttpRequest.Builder request) {
    try {
      return new JsonResponse(client.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new AssertionError("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a response", e);
    }
  }
}
