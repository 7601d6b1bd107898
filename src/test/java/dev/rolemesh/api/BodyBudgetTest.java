package dev.rolemesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.TestGateway;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The body budget ({@code gateway.max_inflight_body_mb}) at its edges, driven by hand: a body that can never fit is
 * a 413, one that does not fit while another is held is a 503 with Retry-After, and every byte is given back when
 * its request ends, however it ends.
 */
class BodyBudgetTest {

  private static final int BUDGET = 1024 * 1024;
  private static TestGateway gateway;
  private static Simulator backend;

  @BeforeAll
  static void start() {
    gateway = new TestGateway().maxBodyBytes(4 * BUDGET).maxInflightBodyBytes(BUDGET);
    backend = gateway.simulator(SimOptions.defaults().withCtxSize(1 << 30));
    gateway.proxy("planner", backend.baseUrl(), Map.of("max_tokens", 2), TestGateway.FAST).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  /** A chat of exactly {@code bytes} bytes. */
  private static String chat(int bytes) {
    String head = "{\"model\":\"planner\",\"messages\":[{\"role\":\"user\",\"content\":\"";
    String tail = "\"}]}";
    return head + "a".repeat(bytes - head.length() - tail.length()) + tail;
  }

  private static RawHttp.Response post(String body) {
    return RawHttp.call(gateway.port(), "POST", "/v1/chat/completions", body);
  }

  @Test
  void aBodyLargerThanTheWholeBudgetIs413NamingTheSetting() {
    RawHttp.Response response = post(chat(2 * BUDGET));

    assertThat(response.status()).isEqualTo(413);
    assertThat(response.json().at("/error/message").asText()).contains("gateway.max_inflight_body_mb");
  }

  @Test
  void aBodyThatDoesNotFitWhileAnotherIsHeldIs503ThenFitsOnceThatOneEnds() throws Exception {
    String held = chat(BUDGET / 2 + 1);
    try (RawHttp first = new RawHttp(gateway.port())) {
      // Chunked, and left unfinished: its bytes are reserved as they arrive.
      first.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(held.length()) + "\r\n" + held + "\r\n");

      Await.until("the first body to be held", () -> gateway.bodyBytesHeld() == held.length());

      RawHttp.Response refused = post(chat(BUDGET / 2));
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.header("Retry-After")).isEqualTo("1");
      assertThat(refused.json().at("/error/code").asText()).isEqualTo("overloaded");

      first.sendRaw("0\r\n\r\n");
      assertThat(first.readResponse().status()).isEqualTo(200);
    }
    Await.until("every byte given back", () -> gateway.bodyBytesHeld() == 0);
    assertThat(post(chat(BUDGET - 1024)).status()).isEqualTo(200);
  }

  @Test
  void aClientThatLeavesMidBodyGivesItsShareBack() throws Exception {
    String part = chat(BUDGET - 1024).substring(0, BUDGET / 2);
    try (RawHttp leaving = new RawHttp(gateway.port())) {
      leaving.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + (BUDGET - 1024) + "\r\n\r\n" + part);
      // A declared length is reserved whole before the first byte is read.
      Await.until("the body to be reserved", () -> gateway.bodyBytesHeld() == BUDGET - 1024);
    }
    Await.until("every byte given back", () -> gateway.bodyBytesHeld() == 0);
    assertThat(post(chat(BUDGET - 1024)).status()).isEqualTo(200);
  }
}
