package dev.rolemesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** The requests a demo walk-through sends, as a client would: JSON in, answers and streamed tokens printed. */
final class DemoCalls implements AutoCloseable {

  private final HttpClient http = HttpClient.newHttpClient();

  JsonNode get(String url) throws IOException, InterruptedException {
    return Json.parse(http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  /** A non-streamed chat completion. */
  JsonNode chat(String base, String model) throws IOException, InterruptedException {
    return Json.parse(http.send(chatRequest(base, model, false), HttpResponse.BodyHandlers.ofString()).body());
  }

  /** Prints the tokens of a streamed chat completion as they arrive. */
  void stream(PrintStream out, String base, String model) throws IOException, InterruptedException {
    HttpResponse<InputStream> stream = http.send(chatRequest(base, model, true),
        HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.startsWith("data: {")) {
          out.print(Json.parse(line.substring(6)).path("choices").path(0).path("delta").path("content").asText(""));
          out.flush();
        }
      }
    }
  }

  static String content(JsonNode completion) {
    return completion.path("choices").path(0).path("message").path("content").asText();
  }

  private static HttpRequest chatRequest(String base, String model, boolean stream) {
    String body = "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}]}";
    return HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  @Override
  public void close() {
    http.close();
  }
}
