package dev.rolemesh.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.ModelConfig;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.config.Timeouts;
import dev.rolemesh.http.ApiError;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FallbackWalkTest {

  private static final ApiError CODER_DOWN = ApiError.unavailable("Model 'coder' cannot serve now: no fresh node");
  private static final ApiError WRITER_DOWN = ApiError.badGateway("Backend for model 'writer' failed: refused");
  private static final ApiError PLANNER_DOWN = ApiError.unavailable("Model 'planner' cannot serve now: no fresh node");

  private static Role role(String alias) {
    return Role.of(new ModelConfig(alias, alias, Map.of(), Timeouts.DEFAULTS,
        new ModelTarget.Proxy(URI.create("http://127.0.0.1:9"), null)));
  }

  private final Role writer = role("writer");
  private final Role planner = role("planner");

  @Test
  void eachRoleThatCannotServeHandsTheRequestToTheNextInOrder() {
    FallbackWalk walk = new FallbackWalk(List.of(writer, planner), null);

    assertThat(walk.next(CODER_DOWN)).isSameAs(writer);
    assertThat(walk.next(WRITER_DOWN)).isSameAs(planner);
    assertThat(walk.next(PLANNER_DOWN)).isNull();
  }

  @Test
  void whenNoneCanServeTheClientGetsTheRequestedRolesErrorNamingWhatTheFallbacksSaid() {
    FallbackWalk walk = new FallbackWalk(List.of(writer, planner), null);
    walk.next(CODER_DOWN);
    walk.next(WRITER_DOWN);
    walk.next(PLANNER_DOWN);

    ApiError error = walk.error();

    assertThat(error.status()).isEqualTo(503);
    assertThat(error.code()).isEqualTo(CODER_DOWN.code());
    assertThat(error.message()).isEqualTo("Model 'coder' cannot serve now: no fresh node; fallbacks could not serve"
        + " either: Backend for model 'writer' failed: refused; Model 'planner' cannot serve now: no fresh node");
  }

  @Test
  void withoutFallbacksTheErrorIsTheRolesOwnUnchanged() {
    FallbackWalk walk = new FallbackWalk(List.of(), null);

    assertThat(walk.next(WRITER_DOWN)).isNull();
    assertThat(walk.error()).isSameAs(WRITER_DOWN);
  }

  @Test
  void aFallbackTheKeyMayNotUseIsPassedOver() {
    FallbackWalk walk = new FallbackWalk(List.of(writer, planner), alias -> !alias.equals("writer"));

    assertThat(walk.next(CODER_DOWN)).isSameAs(planner);
    assertThat(walk.next(PLANNER_DOWN)).isNull();
    assertThat(walk.error().message()).doesNotContain("writer");
  }
}
