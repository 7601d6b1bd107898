package dev.rolemesh.api;

import dev.rolemesh.admission.AdmissionPolicy;
import dev.rolemesh.admission.RoleQueue;
import dev.rolemesh.admission.Waiter;
import dev.rolemesh.config.QueueSettings;
import dev.rolemesh.http.ApiError;
import dev.rolemesh.http.Upstream;
import dev.rolemesh.routing.Role;
import dev.rolemesh.routing.ServedBy;
import io.vertx.core.Context;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A request that found every backend of its role full, from its arrival at the role's {@link RoleQueue} to its end
 * there: forwarded once a slot frees for it (on its own event loop, holding that slot), refused at once when the
 * queue is full (503 {@code queue_full}, unless a fallback role takes it), 503 {@code queue_timeout} after
 * {@code max_wait_s}, or gone with its client, without a byte sent upstream. The decisions are
 * {@link AdmissionPolicy}'s; this is their wiring to the event loop.
 */
final class QueuedRequest implements Waiter {

  private final RoutingContext ctx;
  private final RequestContext request;
  private final Role role;
  private final RoleQueue queue;
  private final Supplier<GatewayState> current;
  /** Sends the request to the first of the backends, whose slot it holds; the rest are failover. */
  private final BiConsumer<Role, List<Upstream>> forward;
  /** The queue is full: the request goes down its fallback chain, or gets this error when there is none. */
  private final Consumer<ApiError> full;
  private final Context loop;
  private final long arrived = System.nanoTime();
  private long[] conversation;
  private long timer = -1;

  QueuedRequest(RoutingContext ctx, RequestContext request, Role role, RoleQueue queue,
      Supplier<GatewayState> current, BiConsumer<Role, List<Upstream>> forward, Consumer<ApiError> full) {
    this.ctx = ctx;
    this.request = request;
    this.role = role;
    this.queue = queue;
    this.current = current;
    this.forward = forward;
    this.full = full;
    this.loop = ctx.vertx().getOrCreateContext();
  }

  void arrive(long[] conversation) {
    this.conversation = conversation;
    QueueSettings limits = queue.limits();
    request.hold();
    switch (queue.arrive(this, request.body.bytes(), request.body.limitBytes())) {
      // admitIfRoom has already handed the request back to this loop, to run after this handler returns
      case ADMIT -> { }
      case ENQUEUE -> {
        timer = ctx.vertx().setTimer(Math.max(1, limits.maxWait().toMillis()), id -> {
          if (queue.leave(this)) {
            waited();
            ctx.response().headers().set(ServedBy.HEADER, ServedBy.NONE)
                .set("Retry-After", String.valueOf(AdmissionPolicy.RETRY_AFTER_SECONDS));
            AdmissionPolicy.refusal(AdmissionPolicy.Reason.QUEUE_TIMEOUT, role.alias(), limits).send(ctx);
            request.release();
          }
        });
        // Replaced by the proxy's own once the request is forwarded.
        ctx.response().closeHandler(v -> {
          if (queue.leave(this)) {
            ctx.vertx().cancelTimer(timer);
            waited();
            request.unsentStatus = 499;
            request.error = "client left while queued";
            request.release();
          }
        });
      }
      case REJECT -> {
        waited();
        AdmissionPolicy.Reason why = queue.waiting() < limits.maxWaiting()
            ? AdmissionPolicy.Reason.QUEUED_BODIES_FULL
            : AdmissionPolicy.Reason.QUEUE_FULL;
        request.guard(v -> full.accept(AdmissionPolicy.refusal(why, role.alias(), limits))).handle(null);
        request.release();
      }
    }
  }

  /**
   * Under the queue's lock, on whichever thread freed a slot: the role as the config now in force has it (a reload
   * may have changed its limits or nodes), its backends with room in its strategy's order, the first that takes the
   * request holding its slot for it.
   */
  @Override
  public boolean admitIfRoom() {
    GatewayState now = current.get();
    Role admitted = now.roles().resolve(role.alias());
    if (admitted == null || !admitted.alias().equals(role.alias())) {
      admitted = role;
    }
    List<Upstream> candidates = now.chooser().candidates(admitted, conversation, request.run);
    for (int i = 0; i < candidates.size(); i++) {
      if (now.chooser().tryDispatch(admitted, candidates.get(i))) {
        Role chosen = admitted;
        List<Upstream> from = candidates.subList(i, candidates.size());
        loop.runOnContext(v -> admitted(chosen, from));
        return true;
      }
    }
    return false;
  }

  /** On the request's own loop, holding a slot on the first backend. */
  private void admitted(Role admitted, List<Upstream> candidates) {
    if (timer >= 0) {
      ctx.vertx().cancelTimer(timer);
    }
    waited();
    if (ctx.response().closed()) {
      // The client left after the slot was handed over: give it to the next in line.
      request.state.chooser().finished(admitted, candidates.getFirst(), false);
      request.state.queues().slotFreed();
      request.unsentStatus = 499;
      request.error = "client left while queued";
      request.release();
      return;
    }
    request.guard(v -> forward.accept(admitted, candidates)).handle(null);
    request.release();
  }

  private void waited() {
    request.queueNanos = System.nanoTime() - arrived;
  }
}
