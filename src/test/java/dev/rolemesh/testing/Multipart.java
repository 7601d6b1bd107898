package dev.rolemesh.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A {@code multipart/form-data} body built by hand, as an audio upload client sends it. */
public final class Multipart {

  private static final String BOUNDARY = "----rolemesh-test-boundary-7MA4YWxkTrZu0gW";

  private final Map<String, String> fields = new LinkedHashMap<>();
  private String fileName;
  private byte[] file;

  public Multipart field(String name, String value) {
    fields.put(name, value);
    return this;
  }

  /** The {@code file} part; it goes after the fields given so far. */
  public Multipart file(String name, byte[] content) {
    this.fileName = name;
    this.file = content;
    return this;
  }

  public String contentType() {
    return "multipart/form-data; boundary=" + BOUNDARY;
  }

  public byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    fields.forEach((name, value) -> write(out,
        "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n"));
    if (file != null) {
      write(out, "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
          + "\"\r\nContent-Type: audio/wav\r\n\r\n");
      out.writeBytes(file);
      write(out, "\r\n");
    }
    write(out, "--" + BOUNDARY + "--\r\n");
    return out.toByteArray();
  }

  /** POSTs the form with the JDK client over HTTP/1.1; {@code headers} are name, value pairs. */
  public JsonResponse post(String url, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", contentType())
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes()));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      return new JsonResponse(client.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void write(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }
}
