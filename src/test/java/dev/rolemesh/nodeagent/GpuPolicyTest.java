package dev.rolemesh.nodeagent;

import static dev.rolemesh.nodeagent.GpuSlot.State.DRAINING;
import static dev.rolemesh.nodeagent.GpuSlot.State.EMPTY;
import static dev.rolemesh.nodeagent.GpuSlot.State.FAILED;
import static dev.rolemesh.nodeagent.GpuSlot.State.LOADING;
import static dev.rolemesh.nodeagent.GpuSlot.State.READY;
import static dev.rolemesh.nodeagent.GpuSlot.State.RESTARTING;
import static dev.rolemesh.nodeagent.GpuSlot.State.STOPPING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.nodeagent.GpuPolicy.Admit;
import dev.rolemesh.nodeagent.GpuPolicy.Decision;
import dev.rolemesh.nodeagent.GpuPolicy.Failure;
import dev.rolemesh.nodeagent.GpuPolicy.GpuView;
import dev.rolemesh.nodeagent.GpuPolicy.Load;
import dev.rolemesh.nodeagent.GpuPolicy.Refusal;
import dev.rolemesh.nodeagent.GpuPolicy.Refuse;
import dev.rolemesh.nodeagent.GpuPolicy.Retire;
import dev.rolemesh.nodeagent.GpuPolicy.Waiting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every rule of the agent's GPU policy, on plain data: no process, no timer, no socket. */
class GpuPolicyTest {

  private static final long SECOND = 1_000_000_000L;
  private static final ModelSpec A = model("a", null);
  private static final ModelSpec B = model("b", null);
  private static final ModelSpec C = model("c", null);
  private static final ModelSpec D = model("d", null);
  /** Runs on GPU 1 only. */
  private static final ModelSpec PINNED = model("pinned", 1);

  private final List<GpuView> gpus = new ArrayList<>();
  private final List<Waiting<String>> waiting = new ArrayList<>();
  private final Set<ModelSpec> retired = new HashSet<>();
  private final Map<ModelSpec, Failure> failures = new HashMap<>();
  private long now = 100 * SECOND;

  private static ModelSpec model(String id, Integer gpu) {
    return new ModelSpec(id, "/models/" + id + ".gguf", List.of(id), List.of(), null, gpu);
  }

  /** A GPU indexed by its position, holding {@code model} (or loading it) with {@code inFlight} requests. */
  private GpuPolicyTest gpu(GpuSlot.State state, ModelSpec model, int inFlight, long lastUsedSeconds) {
    gpus.add(new GpuView(gpus.size(), state, model, null, inFlight, lastUsedSeconds * SECOND, false));
    return this;
  }

  /** A GPU draining or stopping on its way from {@code from} to {@code next}. */
  private GpuPolicyTest switching(GpuSlot.State state, ModelSpec from, ModelSpec next) {
    gpus.add(new GpuView(gpus.size(), state, from, next, 0, 0, false));
    return this;
  }

  private GpuPolicyTest waiting(String who, ModelSpec model) {
    waiting.add(new Waiting<>(who, model));
    return this;
  }

  private List<Decision<String>> plan() {
    return GpuPolicy.plan(new GpuPolicy.State<>(gpus, waiting, retired, failures, Duration.ofSeconds(30), now));
  }

  @Test
  void aReadyModelTakesAllItsWaitersBeforeAnOlderWaiterForAnotherModelClaimsItsGpu() {
    gpu(READY, A, 0, 1).waiting("b1", B).waiting("a1", A).waiting("a2", A);

    assertThat(plan()).containsExactly(new Admit<>("a1", 0), new Admit<>("a2", 0), new Load<>(0, B));
  }

  @Test
  void aModelIsTheSameModelWhenAReloadReadItAgain() {
    // A reload reads the models list anew: the running server holds an equal spec, not the same object.
    ModelSpec reread = model("a", null);
    gpu(READY, A, 0, 1).switching(DRAINING, C, B).waiting("a1", reread).waiting("b1", model("b", null));

    assertThat(plan()).containsExactly(new Admit<>("a1", 0));
  }

  @Test
  void aModelNobodyHoldsTakesAVacantGpuFirst() {
    // Empty and failed count alike; between them, the least recently used goes first.
    gpu(READY, A, 0, 1).gpu(EMPTY, null, 0, 5).gpu(FAILED, C, 0, 0).waiting("b1", B).waiting("d1", D);

    assertThat(plan()).containsExactly(new Load<>(2, B), new Load<>(1, D));
  }

  @Test
  void withNoVacantGpuAnIdleOneBeforeABusyOneThenTheLeastRecentlyUsed() {
    gpu(READY, A, 1, 1).gpu(READY, B, 0, 5).gpu(READY, C, 0, 3).waiting("d1", D);

    assertThat(plan()).containsExactly(new Load<>(2, D));
  }

  @Test
  void whenEveryGpuIsBusyTheLeastRecentlyUsedIsDrainedForTheNewModel() {
    gpu(READY, A, 2, 7).gpu(READY, B, 1, 4).waiting("c1", C);

    assertThat(plan()).containsExactly(new Load<>(1, C));
  }

  @Test
  void requestsAdmittedInThePlanCountWhenTheSamePlanChoosesAGpu() {
    // GPU 0 is the least recently used, but the plan has just sent a1 there: GPU 1 is the idle one now.
    gpu(READY, A, 0, 1).gpu(READY, B, 0, 5).waiting("a1", A).waiting("c1", C);

    assertThat(plan()).containsExactly(new Admit<>("a1", 0), new Load<>(1, C));
  }

  @Test
  void whenEveryGpuIsInTheMiddleOfASwitchWaitersWait() {
    gpu(LOADING, A, 0, 0).switching(DRAINING, B, C).switching(STOPPING, C, D)
        .waiting("x1", model("x", null));

    assertThat(plan()).isEmpty();
  }

  @Test
  void aGpuWaitingToRestartACrashedServerNobodyWaitsForIsVacant() {
    // Its backoff grows to a minute for a server that keeps crashing: another model need not wait that out.
    gpu(READY, A, 1, 0).gpu(RESTARTING, D, 0, 5).waiting("x1", model("x", null));

    assertThat(plan()).containsExactly(new Load<>(1, model("x", null)));
  }

  @Test
  void aGpuWaitingToRestartAServerSomeoneWaitsForKeepsTheRestart() {
    gpu(READY, A, 1, 0).gpu(RESTARTING, D, 0, 5).waiting("x1", model("x", null)).waiting("d1", D);

    assertThat(plan()).containsExactly(new Load<>(0, model("x", null)));
  }

  @Test
  void aModelRequestedWhileItsServerLoadsJoinsThatLoadInsteadOfTakingAnotherGpu() {
    gpu(LOADING, A, 0, 0).gpu(EMPTY, null, 0, 0).switching(DRAINING, C, B).gpu(RESTARTING, D, 0, 0)
        .waiting("a1", A).waiting("b1", B).waiting("d1", D);

    assertThat(plan()).isEmpty();
  }

  @Test
  void waitersForOneModelCauseOneLoad() {
    gpu(EMPTY, null, 0, 0).gpu(EMPTY, null, 0, 0).waiting("b1", B).waiting("b2", B).waiting("b3", B);

    assertThat(plan()).containsExactly(new Load<>(0, B));
  }

  @Test
  void aGpuFreeingWithWaitersForSeveralModelsGoesToTheOldestWaitersModelAndTheOthersKeepTheirTurn() {
    // GPU 0 has just loaded A; GPU 1 is still switching. b1 came first, then c1, then a1 and b2.
    gpu(READY, A, 0, 9).switching(STOPPING, A, D).waiting("b1", B).waiting("c1", C).waiting("a1", A)
        .waiting("b2", B);

    assertThat(plan()).containsExactly(new Admit<>("a1", 0), new Load<>(0, B));

    // B is ready on GPU 0: both of its waiters go there, then c1, the oldest left, claims it while they run.
    gpus.set(0, new GpuView(0, READY, B, null, 0, 10 * SECOND, false));
    waiting.removeIf(waiter -> waiter.who().equals("a1"));
    assertThat(plan()).containsExactly(new Admit<>("b1", 0), new Admit<>("b2", 0), new Load<>(0, C));
  }

  @Test
  void aBusyModelCannotHoldItsGpuAgainstAnOlderWaiterForAnotherOne() {
    // A keeps GPU 0 busy; b1 claims it anyway: the GPU drains, and a request for A arriving later waits behind B.
    gpu(READY, A, 4, 9).waiting("b1", B);
    assertThat(plan()).containsExactly(new Load<>(0, B));

    gpus.set(0, new GpuView(0, DRAINING, A, B, 4, 9 * SECOND, false));
    waiting("a9", A);
    assertThat(plan()).isEmpty();
  }

  @Test
  void aModelPinnedToAGpuTakesOnlyThatOneAndWaitsForIt() {
    gpu(EMPTY, null, 0, 0).gpu(READY, A, 2, 0).waiting("p1", PINNED);
    assertThat(plan()).containsExactly(new Load<>(1, PINNED));

    gpus.set(1, new GpuView(1, LOADING, B, null, 0, 0, false));
    assertThat(plan()).isEmpty();
  }

  @Test
  void aGpuBeingClosedIsNeverChosen() {
    gpus.add(new GpuView(0, EMPTY, null, null, 0, 0, true));
    waiting("a1", A);

    assertThat(plan()).isEmpty();
  }

  @Test
  void aModelThatFailedToLoadIsRefusedWithTheTimeLeftUntilItMayBeTriedAgain() {
    gpu(FAILED, A, 0, 0).waiting("a1", A);
    failures.put(A, new Failure("exit 1", now - 10 * SECOND - SECOND / 2));

    assertThat(plan()).containsExactly(
        new Refuse<>("a1", new Refusal("Model 'a' failed to start: exit 1", 20)));

    now += 20 * SECOND;
    assertThat(plan()).containsExactly(new Load<>(0, A));
  }

  @Test
  void aFailedModelThatAnotherRequestIsLoadingAgainIsJoinedNotRefused() {
    gpu(LOADING, A, 0, 0).waiting("a1", A);
    failures.put(A, new Failure("exit 1", now - SECOND));

    assertThat(plan()).isEmpty();
  }

  @Test
  void aRetiredModelsServerStopsOnceNobodyWaitsForItEvenWhileARequestHoldsIt() {
    retired.add(A);
    gpu(READY, A, 1, 0).gpu(READY, B, 0, 0);
    assertThat(plan()).containsExactly(new Retire<>(0));

    // A waiter for it is served first, then the server retires (it drains the requests it holds).
    waiting("a1", A);
    assertThat(plan()).containsExactly(new Admit<>("a1", 0), new Retire<>(0));
  }

  @Test
  void aRetiredModelStillLoadingServesItsWaitersAndAGpuItRetiresFromIsNotClaimedInTheSamePlan() {
    retired.add(A);
    gpu(LOADING, A, 0, 0).waiting("a1", A);
    assertThat(plan()).isEmpty();

    gpus.set(0, new GpuView(0, READY, A, null, 0, 0, false));
    waiting.clear();
    waiting("b1", B);
    assertThat(plan()).containsExactly(new Retire<>(0));
  }

  @Test
  void theQueueIsBoundedExceptForAModelThatIsReadyAndRefusesEverythingWhileShuttingDown() {
    gpu(READY, A, 4, 0);

    assertThat(GpuPolicy.admission(gpus, B, 1, 2, false)).isNull();
    Refusal full = GpuPolicy.admission(gpus, B, 2, 2, false);
    assertThat(full.message()).contains("2 requests are already waiting", "llama_server.max_waiting");
    assertThat(full.retryAfterSeconds()).isEqualTo(GpuPolicy.RETRY_AFTER_LOADING_S);
    assertThat(GpuPolicy.admission(gpus, A, 2, 2, false)).isNull();
    assertThat(GpuPolicy.admission(gpus, A, 0, 2, true)).isEqualTo(GpuPolicy.shuttingDown());
  }

  @Test
  void freeSlotsCountTheReadyServersSlotsNoRequestHolds() {
    ModelSpec two = new ModelSpec("two", "/m/two.gguf", List.of("r"), List.of("-np", "2"), null, null);
    gpus.add(new GpuView(0, READY, two, null, 1, 0, false));
    gpu(READY, A, 6, 0).gpu(LOADING, B, 0, 0).gpu(READY, C, 1, 0);

    assertThat(GpuPolicy.freeSlots(gpus)).isEqualTo(1 + 0 + 0 + 3);
  }

  @Test
  void restartsBackOffDoublingPerCrashInARowUpToAMinute() {
    Duration base = Duration.ofSeconds(1);
    assertThat(List.of(1, 2, 3, 7, 60).stream().map(n -> GpuPolicy.restartDelay(base, n).toSeconds()))
        .containsExactly(1L, 2L, 4L, 60L, 60L);
    assertThat(GpuPolicy.restartDelay(Duration.ZERO, 1)).isEqualTo(Duration.ofMillis(1));

    assertThat(GpuPolicy.crashesInRow(3, Duration.ofSeconds(5))).isEqualTo(4);
    assertThat(GpuPolicy.crashesInRow(3, Duration.ofSeconds(61))).isEqualTo(1);
  }
}
