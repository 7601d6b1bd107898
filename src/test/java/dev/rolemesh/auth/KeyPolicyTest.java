package dev.rolemesh.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.AuthConfig;
import dev.rolemesh.config.ClientKey;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A key's scope and limits together, on a clock the test moves: which limit refuses, and the headers it sends. */
class KeyPolicyTest {

  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(42 * SECOND);

  private KeyPolicy policy(Set<String> roles, int rpm, int tpm, int maxConcurrent) {
    return new KeyPolicy(new ClientKey("00", "ci", roles, rpm, tpm, maxConcurrent), now::get);
  }

  @Test
  void aScopedKeyMayUseOnlyItsRoles() {
    KeyPolicy scoped = policy(Set.of("planner"), 0, 0, 0);

    assertThat(scoped.allows("planner")).isTrue();
    assertThat(scoped.allows("writer")).isFalse();
    assertThat(policy(null, 0, 0, 0).allows("writer")).isTrue();
  }

  @Test
  void overRpmIsRefusedWithRetryAfterAndOpenAisHeaders() {
    KeyPolicy policy = policy(null, 2, 0, 0);
    MultiMap first = headers(policy.admit());
    policy.finished(0);
    policy.admit();
    Admission refused = policy.admit();

    assertThat(first.get("x-ratelimit-limit-requests")).isEqualTo("2");
    assertThat(first.get("x-ratelimit-remaining-requests")).isEqualTo("1");
    assertThat(first.get("x-ratelimit-reset-requests")).isEqualTo("30s");
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.refusal()).isEqualTo(Admission.Refusal.REQUESTS);
    assertThat(refused.type()).isEqualTo("requests");
    assertThat(refused.message()).isEqualTo(
        "Rate limit reached for key 'ci': 2 requests per minute (rpm). Retry after 30 s.");
    MultiMap refusedHeaders = headers(refused);
    assertThat(refusedHeaders.get("Retry-After")).isEqualTo("30");
    assertThat(refusedHeaders.get("x-ratelimit-remaining-requests")).isEqualTo("0");
    assertThat(refusedHeaders.get("x-ratelimit-reset-requests")).isEqualTo("1m0s");
    assertThat(refusedHeaders.names()).doesNotContain("x-ratelimit-limit-tokens");

    now.addAndGet(30 * SECOND);
    assertThat(policy.admit().admitted()).isTrue();
  }

  @Test
  void tokensFromFinishedRequestsRefuseTheNextUntilPaidOff() {
    KeyPolicy policy = policy(null, 0, 100, 0);
    policy.admit();
    policy.finished(150);

    Admission refused = policy.admit();
    assertThat(refused.refusal()).isEqualTo(Admission.Refusal.TOKENS);
    assertThat(refused.retryAfterSeconds()).isEqualTo(31);
    MultiMap headers = headers(refused);
    assertThat(headers.get("x-ratelimit-limit-tokens")).isEqualTo("100");
    assertThat(headers.get("x-ratelimit-remaining-tokens")).isEqualTo("0");
    assertThat(headers.get("x-ratelimit-reset-tokens")).isEqualTo("1m30s");
    assertThat(headers.get("Retry-After")).isEqualTo("31");

    now.addAndGet(31 * SECOND);
    assertThat(policy.admit().admitted()).isTrue();
  }

  @Test
  void concurrencyIsHeldUntilFinishedAndARefusalSpendsNoRequest() {
    KeyPolicy policy = policy(null, 3, 0, 1);
    assertThat(policy.admit().admitted()).isTrue();

    Admission busy = policy.admit();
    assertThat(busy.refusal()).isEqualTo(Admission.Refusal.CONCURRENCY);
    assertThat(busy.retryAfterSeconds()).isEqualTo(1);
    assertThat(headers(busy).get("x-ratelimit-remaining-requests")).isEqualTo("2");

    policy.finished(0);
    assertThat(policy.admit().admitted()).isTrue();
    policy.finished(0);
    assertThat(policy.admit().admitted()).isTrue();
    policy.finished(0);
    assertThat(policy.admit().refusal()).isEqualTo(Admission.Refusal.REQUESTS);
  }

  @Test
  void aKeyWithoutLimitsCountsNothingAndSendsNoHeaders() {
    KeyPolicy policy = policy(Set.of("planner"), 0, 0, 0);

    assertThat(headers(policy.admit()).isEmpty()).isTrue();
  }

  @Test
  void durationsAreSpelledAsOpenAiDoes() {
    assertThat(Admission.duration(0)).isEqualTo("0ms");
    assertThat(Admission.duration(120_000_000)).isEqualTo("120ms");
    assertThat(Admission.duration(1_500_000_000)).isEqualTo("1.5s");
    assertThat(Admission.duration(20 * SECOND)).isEqualTo("20s");
    assertThat(Admission.duration(360 * SECOND)).isEqualTo("6m0s");
  }

  @Test
  void aConfigSwapKeepsTheCountersOfAnUnchangedKeyAndStartsAChangedOneAfresh() {
    ClientKey ci = new ClientKey("00", "ci", null, 1, 0, 0);
    ClientKey other = new ClientKey("11", "other", null, 1, 0, 0);
    AuthConfig before = new AuthConfig(List.of(ci, other), List.of(), null);
    KeyAuthenticator first = KeyAuthenticator.clients(before, now::get);
    first.policies().get(ci).admit();
    first.policies().get(other).admit();

    ClientKey otherRaised = new ClientKey("11", "other", null, 2, 0, 0);
    KeyAuthenticator second = KeyAuthenticator.clients(
        new AuthConfig(List.of(ci, otherRaised), List.of(), null), now::get, first);

    assertThat(second.policies().get(ci).admit().admitted()).isFalse();
    assertThat(second.policies().get(otherRaised).admit().admitted()).isTrue();
  }

  private static MultiMap headers(Admission admission) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    admission.writeHeaders(headers);
    return headers;
  }
}
