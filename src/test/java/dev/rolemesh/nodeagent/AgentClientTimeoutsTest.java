package dev.rolemesh.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.testing.RawHttp;
import dev.rolemesh.testing.ScrapedMetrics;
import java.net.SocketException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent guards its port with the gateway's client_timeouts: a slowloris head does not hold a connection, and the
 * cut is counted on /metrics.
 */
class AgentClientTimeoutsTest {

  @RegisterExtension final AgentHarness harness = new AgentHarness();

  @Test
  void aHeadThatNeverCompletesIsCutAfterHeaderS() throws Exception {
    harness.start("client_timeouts: {header_s: 0.3}\nmodels:\n  - {model_id: m, path: "
        + harness.weights("m.Q4_K_M.gguf") + ", roles: [planner]}\n");
    try (RawHttp slowloris = new RawHttp(harness.port())) {
      slowloris.sendRaw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a");

      // Only a failing run waits this long: the connection would otherwise stay open forever.
      slowloris.setReadTimeoutMs(60_000);
      int next;
      try {
        next = slowloris.read();
      } catch (SocketException reset) {
        next = -1;
      }
      assertThat(next).isEqualTo(-1);
    }
    ScrapedMetrics metrics = ScrapedMetrics.parse(harness.get("/metrics").body());
    assertThat(metrics.value("rolemesh_agent_connections_cut_total", "reason", "header_s")).isEqualTo(1);
  }
}
