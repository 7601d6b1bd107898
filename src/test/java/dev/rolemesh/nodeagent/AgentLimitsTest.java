package dev.rolemesh.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.JsonResponse;
import dev.rolemesh.testing.RawHttp;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The agent's own limits: silence from llama-server, the queue of requests waiting for a load, broken bodies. */
class AgentLimitsTest {

  @RegisterExtension
  final AgentHarness harness = new AgentHarness();

  private String model(String id, String... args) {
    return "models:\n  - {model_id: " + id + ", path: '" + harness.weights(id + ".gguf") + "', roles: [" + id
        + "-role], args: [" + String.join(", ", args) + "]}\n";
  }

  @Test
  void llamaServerReadSLimitsSilenceOnTheHopToLlamaServer() throws Exception {
    // The simulator takes 3 s before its first byte; the agent allows half a second of silence.
    harness.start("read_s: 0.5", model("slow", "--prompt-delay-ms", "'3000'"));

    JsonResponse response = harness.chat("slow");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.json().at("/error/message").asText()).contains("read_s=0.5");
  }

  @Test
  void requestsBeyondMaxWaitingGet503WithRetryAfterAtOnce() throws Exception {
    harness.start("max_waiting: 1", model("alpha"));
    Files.createFile(harness.hold());
    CompletableFuture<JsonResponse> first = harness.chatAsync("alpha", false);
    Await.until("the first request to wait", () -> harness.inventory().path("waiting").asInt() == 1);

    JsonResponse second = harness.chat("alpha");

    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.headers().firstValue("retry-after")).isPresent();
    assertThat(second.json().at("/error/message").asText()).contains("llama_server.max_waiting");
    Files.delete(harness.hold());
    assertThat(first.get().statusCode()).isEqualTo(200);
    // Once the model is ready nothing waits, so the bound no longer applies.
    assertThat(harness.chat("alpha").statusCode()).isEqualTo(200);
  }

  @Test
  void aClientThatLeavesWhileItsModelLoadsLeavesTheQueueAndIsLoggedAs499() throws Exception {
    harness.start(model("alpha"));
    Files.createFile(harness.hold());
    String body = "{\"model\":\"alpha\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    try (RawHttp http = new RawHttp(harness.agent().port())) {
      http.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body);
      Await.until("the request to wait", () -> harness.inventory().path("waiting").asInt() == 1);
    }

    Await.until("the queue to be empty", () -> harness.inventory().path("waiting").asInt() == 0);
    String[] line = new String[1];
    Await.until("the access line", () -> {
      line[0] = harness.log().stream().filter(each -> each.contains("\"path\":\"/v1/chat/completions\""))
          .findFirst().orElse(null);
      return line[0] != null;
    });
    assertThat(AgentHarness.JSON.readTree(line[0]).path("status").asInt()).isEqualTo(499);
  }

  @Test
  void aBrokenChunkedBodyIs400AndStartsNothing() throws Exception {
    harness.start(model("alpha"));
    String body = "{\"model\":\"alpha\",\"messages\":[]}";

    RawHttp.Response response;
    try (RawHttp http = new RawHttp(harness.agent().port())) {
      http.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
          + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n-5\r\nxyz\r\n0\r\n\r\n");
      response = http.readResponse();
    }

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().at("/error/message").asText()).contains("chunk size");
    assertThat(harness.launches()).isEmpty();
  }
}
