package dev.rolemesh.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamUrlsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "http://127.0.0.1:8011,            http://127.0.0.1:8011",
      "http://127.0.0.1:8011/,           http://127.0.0.1:8011",
      "http://127.0.0.1:8011/v1,         http://127.0.0.1:8011",
      "http://127.0.0.1:8011/v1/,        http://127.0.0.1:8011",
      "http://127.0.0.1:8011//v1//,      http://127.0.0.1:8011",
      "http://h/v1/v1,                   http://h",
      "https://api.example.com/llm/v1,   https://api.example.com/llm",
      "https://api.example.com/llm/,     https://api.example.com/llm",
      "http://h/v10,                     http://h/v10",
      "http://h/llm-v1,                  http://h/llm-v1",
      "HTTP://Gpu-Box:8011/,             http://Gpu-Box:8011",
      "http://[::1]:8011/v1,             http://[::1]:8011",
      "http://h/a%20b/,                  http://h/a%20b",
  })
  void stripsTrailingSlashesAndV1(String raw, String expected) {
    URI normalized = UpstreamUrls.normalize(raw);

    assertThat(normalized).isEqualTo(URI.create(expected));
    assertThat(normalized.toString()).doesNotEndWith("/").doesNotEndWith("/v1");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "localhost:8011", "127.0.0.1:8011", "ftp://h/", "http://", "http:///v1", "http://h 1", "/v1", "h",
  })
  void rejectsAnythingButHttpUrlsWithAHost(String raw) {
    assertThatThrownBy(() -> UpstreamUrls.normalize(raw))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("must be an http(s) URL like http://127.0.0.1:8011, got \"" + raw + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://h:1/?model=x", "http://h:1/v1#top", "http://h:1?"})
  void rejectsQueryAndFragment(String raw) {
    assertThatThrownBy(() -> UpstreamUrls.normalize(raw))
        .hasMessage("must not have a ?query or #fragment, got \"" + raw + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://h:0", "http://h:65536/"})
  void rejectsPortsOutOfRange(String raw) {
    assertThatThrownBy(() -> UpstreamUrls.normalize(raw))
        .hasMessage("port must be from 1 to 65535, got \"" + raw + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://user:secret@h:1", "http://token@h:1"})
  void rejectsCredentialsWithoutEchoingThem(String raw) {
    assertThatThrownBy(() -> UpstreamUrls.normalize(raw))
        .hasMessage("must not contain user:password@ (use api_key for a Bearer token)");
  }
}
