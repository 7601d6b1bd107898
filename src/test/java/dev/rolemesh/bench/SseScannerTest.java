package dev.rolemesh.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseScannerTest {

  private final List<Long> stamps = new ArrayList<>();
  private int done;
  private final SseScanner scanner = new SseScanner(new SseScanner.Listener() {
    @Override
    public void event(long sentMicros) {
      stamps.add(sentMicros);
    }

    @Override
    public void done() {
      done++;
    }
  });

  private void feed(String text) {
    scanner.feed(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void findsStampsAndDoneWhereverTheNetworkCutTheBytes() {
    String body = "data: {\"choices\":[],\"object\":\"chat.completion.chunk\",\"sim_sent_us\":1700000000123456}\n\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\"sim_sent_us\"}}],\"sim_sent_us\":1700000000200000}\n\n"
        + "data: [DONE]\n\n";
    for (int cut = 1; cut < body.length(); cut++) {
      stamps.clear();
      done = 0;
      feed(body.substring(0, cut));
      feed(body.substring(cut));
      assertThat(stamps).as("cut at %d", cut).containsExactly(1700000000123456L, 1700000000200000L);
      assertThat(done).isEqualTo(1);
      assertThat(scanner.pending()).isZero();
    }
  }

  @Test
  void countsEventsWithoutAStampAndIgnoresComments() {
    feed(": keep-alive\n\ndata: {\"choices\":[]}\n\ndata: {\"sim_sent_us\":42}\n\ndata: {\"choi");
    assertThat(stamps).containsExactly(-1L, 42L);
    assertThat(done).isZero();
    assertThat(scanner.pending()).isPositive();
  }
}
