package dev.rolemesh.api;

import static dev.rolemesh.testing.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.RawUpstream;
import dev.rolemesh.testing.TestGateway;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP as clients and backends actually speak it: HEAD, 405 with Allow, HTTP/1.0, 204, query strings, paths that
 * try to leave the upstream's prefix, and a backend that answers nonsense on a bare socket.
 */
class HttpDetailsTest {

  private static final String JSON_OK = "{\"object\":\"chat.completion\",\"choices\":[]}";
  private static TestGateway gateway;
  private static RawUpstream scripted;

  /** The raw backend's answer, chosen per request by its X-Script header. */
  private static void script(RawUpstream.Exchange exchange) throws IOException {
    exchange.readBody();
    String script = String.valueOf(exchange.header("X-Script"));
    exchange.write(switch (script) {
      case "999" -> "HTTP/1.1 999 Odd\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
      case "204" -> "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
      case "half-head" -> "HTTP/1.1 200 OK\r\nContent-Le";
      case "garbage" -> "hello there\r\n\r\n";
      case "short-body" -> "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"par";
      default -> "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + JSON_OK.length()
          + "\r\nConnection: close\r\n\r\n" + JSON_OK;
    });
  }

  @BeforeAll
  static void start() {
    gateway = new TestGateway();
    Simulator sim = gateway.simulator(SimOptions.defaults());
    scripted = RawUpstream.start(HttpDetailsTest::script);
    gateway.proxy("sim", sim)
        .proxy("scripted", scripted.url() + "/pfx", Map.of(), TestGateway.FAST)
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    scripted.close();
  }

  private static RawHttp.Response chatWith(String script) {
    return RawHttp.call(gateway.port(), "POST", "/v1/chat/completions", chat("scripted", ""), "X-Script", script);
  }

  @Test
  void headOnEveryGetEndpointIsItsHeadWithoutABody() throws Exception {
    for (String path : new String[] {"/health", "/ready", "/v1/models", "/v1/models/sim", "/v1/nodes"}) {
      try (RawHttp http = new RawHttp(gateway.port())) {
        http.send("HEAD", path, null);
        RawHttp.Response head = http.readHead();
        assertThat(head.status()).as(path).isEqualTo(200);
        assertThat(head.header("Content-Type")).as(path).startsWith("application/json");

        // Had the HEAD answer carried a body, this second response would not parse.
        http.send("GET", "/health", null);
        RawHttp.Response next = http.readResponse();
        assertThat(next.status()).as(path).isEqualTo(200);
        assertThat(next.json().path("status").asText()).as(path).isEqualTo("ok");
      }
    }
  }

  @Test
  void methodNotAllowedSaysWhichMethodsAre() {
    RawHttp.Response get = RawHttp.call(gateway.port(), "GET", "/v1/chat/completions", null);
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.header("Allow")).isEqualTo("POST");
    assertThat(get.json().path("error").path("code").asText()).isEqualTo("method_not_allowed");

    RawHttp.Response post = RawHttp.call(gateway.port(), "POST", "/health", "{}");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
  }

  @Test
  void theQueryStringIsForwardedUnderTheUpstreamsPrefix() {
    RawHttp.Response response = RawHttp.call(gateway.port(), "POST",
        "/v1/chat/completions?api-version=2024-06-01&x=%20y", chat("scripted", ""), "X-Script", "ok");

    assertThat(response.status()).as(response.body()).isEqualTo(200);
    assertThat(scripted.requestLines())
        .contains("POST /pfx/v1/chat/completions?api-version=2024-06-01&x=%20y HTTP/1.1");
  }

  @Test
  void pathsWithDotSegmentsEmptySegmentsOrEncodedSeparatorsAreRefusedBeforeRouting() {
    int seenBefore = scripted.requestLines().size();
    for (String path : new String[] {"/../v1/chat/completions", "/v1/./chat/completions", "/v1//chat/completions",
        "//v1/chat/completions", "/v1/chat%2Fcompletions", "/v1/%2e%2e/v1/chat/completions",
        "/v1/chat/completions/..", "/v1/chat/completions%2F", "/v1\\chat/completions", "/x/%2E./v1/models"}) {
      RawHttp.Response response = RawHttp.call(gateway.port(), "POST", path, chat("scripted", ""));

      assertThat(response.status()).as(path).isEqualTo(400);
      assertThat(response.json().path("error").path("code").asText()).as(path).isEqualTo("invalid_path");
    }
    assertThat(scripted.requestLines()).hasSize(seenBefore);
  }

  @Test
  void anUpstreamStatusOutside100To599IsA502() {
    RawHttp.Response response = chatWith("999");

    assertThat(response.status()).isEqualTo(502);
    assertThat(response.json().path("error").path("message").asText()).contains("999");
  }

  @Test
  void a204PassesThroughWithoutABodyAndTheConnectionStaysUsable() throws Exception {
    try (RawHttp http = new RawHttp(gateway.port())) {
      http.send("POST", "/v1/chat/completions", chat("scripted", ""), "X-Script", "204");
      RawHttp.Response head = http.readHead();
      assertThat(head.status()).isEqualTo(204);
      assertThat(head.header("Transfer-Encoding")).isNull();

      http.send("GET", "/health", null);
      assertThat(http.readResponse().status()).isEqualTo(200);
    }
  }

  @Test
  void aBackendThatBreaksOffItsHeadOrAnswersGarbageIsA502() {
    for (String script : new String[] {"half-head", "garbage"}) {
      RawHttp.Response response = chatWith(script);

      assertThat(response.status()).as(script).isEqualTo(502);
      assertThat(response.json().path("error").path("type").asText()).as(script).isEqualTo("upstream_error");
    }
  }

  @Test
  void aBodyShorterThanItsContentLengthEndsInACutConnectionNotAShortAnswer() throws Exception {
    try (RawHttp http = new RawHttp(gateway.port())) {
      http.send("POST", "/v1/chat/completions", chat("scripted", ""), "X-Script", "short-body");
      assertThatThrownBy(() -> http.readBody(http.readHead())).isInstanceOf(IOException.class);
    }
  }

  @Test
  void anHttp10ClientGetsItsAnswerAndThenTheConnectionEnds() throws Exception {
    try (RawHttp http = new RawHttp(gateway.port())) {
      http.sendRaw("GET /health HTTP/1.0\r\n\r\n");
      String response = http.readToEnd();
      assertThat(response).startsWith("HTTP/1.0 200").contains("\"status\":\"ok\"");
    }
  }

  @Test
  void anHttp10ClientGetsAStreamWithoutChunkedFramingEndedByTheClose() throws Exception {
    String body = chat("sim", "\"stream\":true,\"max_tokens\":3");
    try (RawHttp http = new RawHttp(gateway.port())) {
      http.sendRaw("POST /v1/chat/completions HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body);
      String response = http.readToEnd();
      String head = response.substring(0, response.indexOf("\r\n\r\n"));
      assertThat(head).startsWith("HTTP/1.0 200").doesNotContainIgnoringCase("Transfer-Encoding");
      assertThat(response).contains("data: [DONE]").doesNotContain("\r\n0\r\n");
    }
  }

  @Test
  void garbageRequestHeadsGetA400AndTheConnectionIsClosed() throws Exception {
    try (RawHttp http = new RawHttp(gateway.port())) {
      http.sendRaw("HELLO\r\n\r\n");
      assertThat(http.readToEnd()).matches("(?s)HTTP/1\\.[01] 400 .*");
    }
  }
}
