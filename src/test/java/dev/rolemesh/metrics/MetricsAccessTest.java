package dev.rolemesh.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.ScrapedMetrics;
import dev.rolemesh.testing.TestGateway;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Once client keys are configured, /metrics and the status API need a client key or a metrics key. */
class MetricsAccessTest {

  private static TestGateway gateway;

  @BeforeAll
  static void start() {
    gateway = new TestGateway();
    gateway.proxy("writer", gateway.simulator(SimOptions.defaults().withAlias("story")))
        .auth(new AuthConfig(List.of("client-key"), List.of(), List.of("scraper-key")))
        .start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void withoutAKeyTheyAreRefused() {
    assertThat(gateway.get("/metrics").statusCode()).isEqualTo(401);
    assertThat(gateway.get("/v1/status").statusCode()).isEqualTo(401);
    assertThat(gateway.get("/metrics", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
  }

  @Test
  void aClientKeyOrAMetricsKeyOpensThem() {
    assertThat(gateway.get("/metrics", "Authorization", "Bearer client-key").statusCode()).isEqualTo(200);
    assertThat(gateway.get("/metrics", "X-Api-Key", "scraper-key").statusCode()).isEqualTo(200);
    assertThat(gateway.get("/v1/status", "Authorization", "Bearer scraper-key").statusCode()).isEqualTo(200);
  }

  @Test
  void tokensAreCountedPerClientKeyNameNeverPerKey() {
    long output = gateway.postChat("writer", "Authorization", "Bearer client-key").json().path("usage")
        .path("completion_tokens").asLong();

    // Counted as the response ends, which may be a moment after the client read it.
    Await.until("the tokens counted under the key's name", () -> ScrapedMetrics.parse(scrape())
        .value("rolemesh_tokens_total", "role", "writer", "key", "client_api_keys[0]", "direction", "output")
        == output);
    assertThat(scrape()).doesNotContain("client-key");
  }

  private static String scrape() {
    return gateway.get("/metrics", "Authorization", "Bearer scraper-key").body();
  }

  @Test
  void aMetricsKeyCannotRunInference() {
    assertThat(gateway.postChat("writer", "Authorization", "Bearer scraper-key").statusCode()).isEqualTo(401);
  }

  @Test
  void theDashboardPageItselfIsOpenAndAsksForTheKey() {
    assertThat(gateway.get("/ui/").statusCode()).isEqualTo(200);
    assertThat(gateway.get("/ui/").body()).contains("<title>RoleMesh Gateway</title>");
    assertThat(gateway.get("/ui/app.js").headers().firstValue("Content-Type")).hasValue(
        "text/javascript; charset=utf-8");
    assertThat(gateway.get("/ui/nothing.js").statusCode()).isEqualTo(404);
  }

  @Test
  void withRecordingOffBothAnswerWhyAndInferenceStillWorks() {
    try (TestGateway off = new TestGateway()) {
      off.proxy("writer", off.simulator(SimOptions.defaults().withAlias("story"))).metrics(false).start();

      assertThat(off.postChat("writer").statusCode()).isEqualTo(200);
      assertThat(off.get("/metrics").statusCode()).isEqualTo(404);
      assertThat(off.get("/metrics").body()).contains("gateway.metrics: false");
      assertThat(off.get("/v1/status").statusCode()).isEqualTo(404);
    }
  }
}
