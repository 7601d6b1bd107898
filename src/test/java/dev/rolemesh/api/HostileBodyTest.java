package dev.rolemesh.api;

import static dev.rolemesh.config.ModelTarget.Strategy.ROUND_ROBIN;
import static dev.rolemesh.testing.TestGateway.CLIENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.FreePorts;
import dev.rolemesh.testing.NodeRegistrations;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.TestGateway;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bodies no JSON writer would produce, sent to roles whose bodies are rewritten (defaults to fill in): the bytes
 * UTF-8 uses for half a surrogate pair (ED A0 BD) and a string longer than the 20 million characters a Jackson tree
 * takes. Rebuilt as a tree they were our own 500 with a stack trace and no access-log line, and on a failover path
 * no answer at all; spliced, they reach the backend as sent, and every request ends with one answer and one line.
 */
class HostileBodyTest {

  /** U+D83D (the first half of an emoji's surrogate pair) encoded on its own; one char per byte on the wire. */
  private static final String LONE_SURROGATE = "\u00ed\u00a0\u00bd";
  private static TestGateway gateway;
  private static Simulator backend;

  @BeforeAll
  static void start() {
    gateway = new TestGateway().clientAndNodeKeys();
    backend = gateway.simulator(SimOptions.defaults().withCtxSize(1 << 30));
    gateway.proxy("planner", backend.baseUrl(), Map.of("temperature", 0), TestGateway.FAST)
        .discovered("reviewer", "reviewer", ROUND_ROBIN, Map.of("temperature", 0))
        .start();
    // One node refuses connections: a request that tries it first fails over to the other.
    gateway.register(NodeRegistrations.legacy("dead", "http://127.0.0.1:" + FreePorts.loopback(), "reviewer"));
    gateway.register(NodeRegistrations.legacy("live", backend.baseUrl(), "reviewer"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  /** Sends {@code body} (one char per byte) and returns the answer with its one access-log line. */
  private static Answer post(String id, String body) throws Exception {
    RawHttp.Response response;
    try (RawHttp http = new RawHttp(gateway.port())) {
      http.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Authorization: Bearer " + CLIENT_KEY + "\r\nX-Request-Id: " + id + "\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body);
      response = http.readResponse();
    }
    Await.until("the access-log line of " + id, () -> gateway.log().contains("\"" + id + "\""));
    List<String> lines = gateway.log().lines().filter(line -> line.contains("\"request_id\":\"" + id + "\""))
        .toList();
    assertThat(lines).hasSize(1);
    return new Answer(response, lines.getFirst());
  }

  private record Answer(RawHttp.Response response, String line) {}

  private static String chat(String model, String content) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
  }

  @Test
  void encodedSurrogatesInAPromptAreForwardedAsSent() throws Exception {
    Answer answer = post("surrogate-prompt", chat("planner", "hi " + LONE_SURROGATE));

    assertThat(answer.response().status()).isEqualTo(200);
    assertThat(answer.line()).contains("\"status\":200");
    assertThat(gateway.log()).doesNotContain("internal_error");
  }

  @Test
  void aSurrogateInTheModelIs400NamingIt() throws Exception {
    // The model is the one string the gateway decodes (and may echo in an error): it must be real text.
    Answer encoded = post("surrogate-model", chat("plan" + LONE_SURROGATE, "hi"));
    Answer escaped = post("escaped-surrogate-model", chat("plan\\ud83d", "hi"));

    assertThat(encoded.response().status()).isEqualTo(400);
    assertThat(encoded.response().json().at("/error/message").asText())
        .contains("column 18", "invalid UTF-8", "surrogate");
    assertThat(escaped.response().status()).isEqualTo(400);
    assertThat(escaped.response().json().at("/error/param").asText()).isEqualTo("model");
    assertThat(escaped.response().json().at("/error/message").asText()).contains("unpaired surrogate");
  }

  @Test
  void aStringOverTwentyMillionCharactersIsForwardedAsSent() throws Exception {
    long before = backend.stats().requestsTotal();

    Answer answer = post("long-string", chat("planner", "a".repeat(20_000_001)));

    // The backend judges it (the simulator's own parser stops at 20 M characters too); the gateway only forwarded.
    assertThat(backend.stats().requestsTotal()).isEqualTo(before + 1);
    assertThat(answer.response().json().at("/error/code").asText()).isNotEqualTo("internal_error");
    assertThat(gateway.log()).doesNotContain("internal_error");
  }

  @Test
  void onAFailoverPathEveryRequestIsAnswered() throws Exception {
    // Round robin over two nodes: of two requests in a row, one tries the dead node first.
    Answer first = post("failover-1", chat("reviewer", LONE_SURROGATE));
    Answer second = post("failover-2", chat("reviewer", LONE_SURROGATE));

    assertThat(first.response().status()).isEqualTo(200);
    assertThat(second.response().status()).isEqualTo(200);
    assertThat(first.line() + second.line()).contains("\"attempts\":2");
  }
}
