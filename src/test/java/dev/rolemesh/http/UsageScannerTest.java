package dev.rolemesh.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Token counts read from llama-server's answers (shapes from the captures), whatever the chunking. */
class UsageScannerTest {

  private static final String NON_STREAM = "{\"choices\":[{\"finish_reason\":\"length\",\"index\":0,\"message\":"
      + "{\"role\":\"assistant\",\"content\":\"say \\\"usage\\\":{\\\"total_tokens\\\":9999}\"}}],"
      + "\"usage\":{\"completion_tokens\":24,\"prompt_tokens\":46,\"total_tokens\":70,"
      + "\"prompt_tokens_details\":{\"cached_tokens\":0}},\"timings\":{\"cache_n\":0,\"prompt_n\":46,"
      + "\"predicted_n\":24}}";

  private static final String STREAM = "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":"
      + "{\"content\":\"re\"}}],\"object\":\"chat.completion.chunk\"}\n\n"
      + "data: {\"choices\":[{\"finish_reason\":\"length\",\"index\":0,\"delta\":{}}],\"object\":"
      + "\"chat.completion.chunk\",\"timings\":{\"cache_n\":45,\"prompt_n\":1,\"prompt_ms\":1.667,\"predicted_n\":4,"
      + "\"predicted_ms\":1.031}}\n\ndata: [DONE]\n\n";

  private static final String STREAM_WITH_USAGE = "data: {\"choices\":[],\"usage\":null}\n\n"
      + "data: {\"choices\":[],\"usage\":{\"completion_tokens\":4,\"prompt_tokens\":46,\"total_tokens\":50},"
      + "\"timings\":{\"cache_n\":45,\"prompt_n\":1,\"predicted_n\":4}}\n\ndata: [DONE]\n\n";

  @Test
  void readsUsageFromAPlainAnswerAndIgnoresLookalikesInGeneratedText() {
    assertThat(scan(NON_STREAM, NON_STREAM.length())).isEqualTo(70);
  }

  @Test
  void readsTheTimingsThatEndAStreamWithoutUsage() {
    assertThat(scan(STREAM, STREAM.length())).isEqualTo(50);
  }

  @Test
  void prefersTheUsageChunkOverTimingsAndSkipsNullUsage() {
    assertThat(scan(STREAM_WITH_USAGE, STREAM_WITH_USAGE.length())).isEqualTo(50);
  }

  @Test
  void anyChunkingGivesTheSameCount() {
    for (int size = 1; size < 40; size++) {
      assertThat(scan(NON_STREAM, size)).as("chunks of %d", size).isEqualTo(70);
      assertThat(scan(STREAM, size)).as("chunks of %d", size).isEqualTo(50);
    }
  }

  @Test
  void anAnswerWithoutUsageCountsNothing() {
    assertThat(scan("{\"object\":\"list\",\"data\":[]}", 7)).isZero();
    assertThat(scan("{\"usage\":" + "{\"a\":1,".repeat(2000), 100)).isZero();
  }

  private static long scan(String body, int chunkSize) {
    UsageScanner scanner = new UsageScanner();
    for (int i = 0; i < body.length(); i += chunkSize) {
      scanner.accept(Buffer.buffer(body.substring(i, Math.min(body.length(), i + chunkSize))));
    }
    return scanner.tokens();
  }
}
