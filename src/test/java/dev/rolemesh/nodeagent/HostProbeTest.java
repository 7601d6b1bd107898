package dev.rolemesh.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.observability.JsonLog;
import dev.rolemesh.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Host facts are probed once at a time and cached, and a probe that hangs (nvidia-smi can take 10 s) holds up none
 * of the agent's other blocking work: starting and stopping llama-server.
 */
class HostProbeTest {

  @RegisterExtension final AgentHarness harness = new AgentHarness();
  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final AtomicInteger probes = new AtomicInteger();
  /** Each probe waits for one permit: a probe without one hangs. */
  private final Semaphore answers = new Semaphore(0);

  @AfterEach
  void close() {
    answers.release(1000);
    Await.result(vertx.close());
  }

  private HostFacts slowProbe() throws InterruptedException {
    int probe = probes.incrementAndGet();
    answers.acquire();
    return new HostFacts("probe-" + probe, 1, 1, 1, List.of(), null);
  }

  /** Calls {@code action} on the agent's context, where the agent calls it. */
  private <T> T onContext(Supplier<T> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> result.complete(action.get()));
    return result.get();
  }

  @Test
  void callersDuringAProbeShareItAndFreshFactsAreNotProbedAgain() throws Exception {
    HostProbe host = new HostProbe(context, this::slowProbe, Duration.ofDays(1));
    Future<HostFacts> first = onContext(host::facts);
    Future<HostFacts> second = onContext(host::facts);
    Await.until("the probe to start", () -> probes.get() == 1);

    answers.release();

    assertThat(Await.result(first).hostname()).isEqualTo("probe-1");
    assertThat(Await.result(second).hostname()).isEqualTo("probe-1");
    assertThat(Await.result(onContext(host::facts)).hostname()).isEqualTo("probe-1");
    assertThat(probes).hasValue(1);
  }

  @Test
  void staleFactsAnswerAtOnceWhileOneNewProbeRuns() throws Exception {
    HostProbe host = new HostProbe(context, this::slowProbe, Duration.ZERO);
    Future<HostFacts> first = onContext(host::facts);
    answers.release();
    assertThat(Await.result(first).hostname()).isEqualTo("probe-1");

    Future<HostFacts> stale = onContext(host::facts);
    Future<HostFacts> staleAgain = onContext(host::facts);

    assertThat(stale.result().hostname()).isEqualTo("probe-1");
    assertThat(staleAgain.result().hostname()).isEqualTo("probe-1");
    Await.until("the second probe to start", () -> probes.get() == 2);
    answers.release();
    Await.until("the second probe's facts", () -> onContext(host::latest).hostname().equals("probe-2"));
    assertThat(probes).hasValue(2);
  }

  @Test
  void aHangingProbeHoldsUpNeitherALaunchNorAStop() throws Exception {
    HostProbe host = new HostProbe(context, this::slowProbe, HostProbe.FRESH_FOR);
    Future<HostFacts> hanging = onContext(host::facts);
    Await.until("the probe to hang", () -> probes.get() == 1);
    ModelSpec model = new ModelSpec("m", harness.weights("m.gguf"), List.of("r"), List.of(), null, null);

    ServerLauncher launcher = Await.result(onContext(() -> ServerLauncher.open(context, harness.stateDir(),
        harness.launcher().toString(), JsonLog.stdout())));

    ServerProcess server = Await.result(onContext(() -> launcher.launch(model, null)));
    Await.result(onContext(() -> server.stop(Duration.ofMinutes(5))));
    Await.result(onContext(launcher::close));

    assertThat(AgentHarness.alive(server.pid())).isFalse();
    assertThat(hanging.isComplete()).as("the probe still hangs").isFalse();
  }
}
