package dev.rolemesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Token counts read from real llama-server answers, however the bytes are cut into chunks. */
class UsageScannerTest {

  @Test
  void aWholeAnswerGivesItsUsage() throws IOException {
    assertThat(scanInChunks(fixture("chat-nonstream.txt"), Integer.MAX_VALUE)).containsExactly(46, 24);
  }

  @Test
  void aStreamGivesTheUsageOfItsLastChunkWhicheverWayItIsCut() throws IOException {
    String stream = fixture("stream-usage-raw.txt");
    for (int size = 1; size < 40; size++) {
      assertThat(scanInChunks(stream, size)).as("chunks of %d bytes", size).containsExactly(46, 4);
    }
  }

  @Test
  void aStreamWithoutUsageFallsBackToTimingsCountingCachedPromptTokens() throws IOException {
    assertThat(scanInChunks(fixture("stream-raw.txt"), 7)).containsExactly(46, 4);
  }

  @Test
  void textThatLooksLikeAKeyInsideGeneratedContentIsNotCounted() {
    String body = "{\"choices\":[{\"message\":{\"content\":\"say \\\"prompt_tokens\\\":999 and "
        + "\\\"completion_tokens\\\": 5\"}}],\"usage\":{\"completion_tokens\":3,\"prompt_tokens\":12}}";
    assertThat(scanInChunks(body, 5)).containsExactly(12, 3);
  }

  @Test
  void anAnswerWithoutCountsGivesNone() {
    assertThat(scanInChunks("{\"data\":[{\"embedding\":[0.1,0.2]}]}", 4)).containsExactly(-1, -1);
    assertThat(scanInChunks("{\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}", 4)).containsExactly(8, -1);
  }

  @Test
  void anthropicAndResponsesSpellingsCountToo() {
    assertThat(scanInChunks("{\"usage\":{\"input_tokens\":10,\"output_tokens\":4}}", 3)).containsExactly(10, 4);
  }

  /** Chunks are slices of one buffer, so the scanner reads them at an offset into a shared array, as it does live. */
  private static long[] scanInChunks(String text, int size) {
    Buffer whole = Buffer.buffer(text);
    UsageScanner scanner = new UsageScanner();
    for (int i = 0; i < whole.length(); i += size) {
      scanner.scan(whole.slice(i, Math.min(i + size, whole.length())));
    }
    return new long[] {scanner.inputTokens(), scanner.outputTokens()};
  }

  private static String fixture(String name) throws IOException {
    try (InputStream in = UsageScannerTest.class.getResourceAsStream("/fixtures/llama-server/" + name)) {
      if (in == null) {
        throw new IOException("missing fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
