package dev.rolemesh.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestIdsTest {

  @Test
  void keepsASafeIncomingId() {
    assertThat(RequestIds.honourOrCreate("trace-42.a:b_c")).isEqualTo("trace-42.a:b_c");
  }

  @Test
  void replacesMissingUnsafeOrOversizedIds() {
    assertThat(RequestIds.honourOrCreate(null)).hasSize(32);
    assertThat(RequestIds.honourOrCreate("evil\r\nX-Injected: 1")).hasSize(32).doesNotContain("evil");
    assertThat(RequestIds.honourOrCreate("a".repeat(129))).hasSize(32);
  }

  @Test
  void createdIdsAreHexAndDistinct() {
    String a = RequestIds.create();
    String b = RequestIds.create();
    assertThat(a).matches("[0-9a-f]{32}");
    assertThat(a).isNotEqualTo(b);
  }
}
