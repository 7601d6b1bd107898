package dev.rolemesh.api;

import com.fasterxml.jackson.core.JsonToken;
import dev.rolemesh.admission.AdmissionPolicy;
import dev.rolemesh.auth.Admission;
import dev.rolemesh.auth.KeyCheck;
import dev.rolemesh.auth.Principal;
import dev.rolemesh.availability.Availability;
import dev.rolemesh.availability.UpstreamProbe;
import dev.rolemesh.http.ApiError;
import dev.rolemesh.http.BodyReader;
import dev.rolemesh.http.BodyRefusals;
import dev.rolemesh.http.ConversationChain;
import dev.rolemesh.http.MultipartForm;
import dev.rolemesh.http.RequestPeek;
import dev.rolemesh.http.Upstream;
import dev.rolemesh.observability.RunIds;
import dev.rolemesh.proxy.Failure;
import dev.rolemesh.proxy.Retries;
import dev.rolemesh.proxy.UpstreamProxy;
import dev.rolemesh.registry.NodeSelector;
import dev.rolemesh.routing.BackendChooser;
import dev.rolemesh.routing.BodyRewriter;
import dev.rolemesh.routing.FallbackWalk;
import dev.rolemesh.routing.Role;
import dev.rolemesh.routing.ServedBy;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Every llama-server API a client addresses by model ({@code POST /v1/chat/completions}, {@code /v1/completions},
 * {@code /v1/embeddings}, {@code /v1/messages}, {@code /v1/responses}, {@code /v1/rerank}, the multipart
 * {@code /v1/audio/transcriptions}, ...): validate just enough of the body, resolve the role, choose a backend,
 * forward; the answer, streamed or not, is relayed unchanged. When a backend fails before it could start on the request
 * and the role has another, the next one is tried, so a dead node costs no client an error; when the role has none
 * left (or none at all), its fallbacks are tried in turn. When every backend of a role is full, the request waits in
 * the role's admission queue ({@link QueuedRequest}); when that queue is full too, the fallbacks are tried. Every
 * response once a role is chosen says which backend served it, {@code X-RoleMesh-Served-By}.
 */
final class InferenceEndpoint implements Handler<RoutingContext> {

  private final Function<GatewayState, UpstreamProxy> proxies;
  /** The state in force now, which a queued request is admitted under (limits may have changed since it came). */
  private final Supplier<GatewayState> current;
  private final String requiredField;
  private final boolean form;

  /**
   * @param requiredField the JSON body field this endpoint cannot work without ({@code messages}, {@code prompt},
   *     {@code input}, ...), or null for an endpoint that takes a {@code multipart/form-data} upload
   * @param proxies the event loop's proxy for a request under a given state
   */
  InferenceEndpoint(Function<GatewayState, UpstreamProxy> proxies, Supplier<GatewayState> current,
      String requiredField) {
    this.proxies = proxies;
    this.current = current;
    this.requiredField = requiredField;
    this.form = requiredField == null;
  }

  @Override
  public void handle(RoutingContext ctx) {
    RequestContext request = RequestContext.of(ctx);
    BodyReader.read(ctx.request(), request.state.config().gateway().maxBodyBytes(), request.body)
        .onComplete(request.guard(read -> {
          if (read.failed()) {
            BodyReader.Refused refused = (BodyReader.Refused) read.cause();
            if (refused.kind() == BodyReader.Kind.CLIENT_GONE) {
              request.unsentStatus = 499;
            }
            ApiError error = BodyRefusals.answer(ctx.request(), refused, "gateway.max_body_mb",
                "gateway.max_inflight_body_mb");
            if (error != null) {
              error.send(ctx);
            }
          } else if (!ctx.response().closed()) {
            route(ctx, request, read.result());
          }
        }));
  }

  private void route(RoutingContext ctx, RequestContext request, Buffer body) {
    GatewayState state = request.state;
    if (body.length() == 0) {
      String expected = form ? "a multipart/form-data body" : "a JSON object";
      ApiError.invalidRequest("Request body is empty; expected " + expected, null).send(ctx);
      return;
    }
    Peeked peek = form ? peekForm(ctx, body) : peekJson(ctx, body);
    if (peek == null) {
      return;
    }
    Role role = state.roles().resolve(peek.model());
    if (role == null) {
      ApiError.modelNotFound(peek.model(), state.roles().aliases()).send(ctx);
      return;
    }
    request.alias = role.alias();
    request.stream = peek.stream();
    if (!admit(ctx, request, role)) {
      return;
    }
    request.run = RunIds.of(ctx.request().getHeader(RunIds.HEADER), body, peek.user());
    if (request.run != null) {
      // A run named by the body's user field is forwarded like one named by the header (the proxy copies it).
      ctx.request().headers().set(RunIds.HEADER, request.run);
    }
    serve(ctx, request, role, peek, null);
  }

  /**
   * Sends the request to {@code role}'s backends. {@code walk} is null while the role is the one the client asked
   * for; from the first role that cannot take the request on, it leads down that role's fallback chain.
   */
  private void serve(RoutingContext ctx, RequestContext request, Role role, Peeked peek, FallbackWalk walk) {
    BackendChooser chooser = request.state.chooser();
    List<Upstream> candidates = chooser.candidates(role, peek.conversation(), request.run);
    Upstream first = candidates.isEmpty() ? null : candidates.getFirst();
    // A backend of unknown capacity always has room, so nobody waits for it: its requests never look at the queue.
    // Else the common case costs one look at it: the backend has room and nobody waits.
    if (first != null && (first.slots() <= 0 || request.state.queues().of(role.alias()).idle())
        && chooser.tryDispatch(role, first)) {
      attempt(ctx, request, role, peek, walk, candidates, 0);
      return;
    }
    if (candidates.isEmpty() && !chooser.atCapacity(role)) {
      cannotServe(ctx, request, role, peek, walk,
          ApiError.unavailable("Model '" + role.alias() + "' cannot serve now: " + chooser.whyNone(role)));
      return;
    }
    enqueue(ctx, request, role, peek, walk);
  }

  /** Every backend of the role is full: the request waits in the role's queue for a slot. */
  private void enqueue(RoutingContext ctx, RequestContext request, Role role, Peeked peek, FallbackWalk walk) {
    new QueuedRequest(ctx, request, role, request.state.queues().of(role.alias()), current,
        (admittedRole, admitted) -> attempt(ctx, request, admittedRole, peek, walk, admitted, 0),
        full -> cannotServe(ctx, request, role, peek, walk, full)).arrive(peek.conversation());
  }

  /**
   * The seam of the fallback chain: {@code role} cannot take the request now, for the reason {@code why} gives as
   * the error its client would get. The request goes on to the next role of the chain, or, when none is left, the
   * client gets the requested role's error with nothing serving it.
   */
  private void cannotServe(RoutingContext ctx, RequestContext request, Role role, Peeked peek, FallbackWalk walk,
      ApiError why) {
    FallbackWalk chain = walk != null ? walk : new FallbackWalk(request.state.roles().fallbacks(role), allowed(ctx));
    Role next = chain.next(why);
    if (next != null) {
      serve(ctx, request, next, peek, chain);
      return;
    }
    ctx.response().headers().set(ServedBy.HEADER, ServedBy.NONE);
    ApiError error = chain.error();
    if (AdmissionPolicy.refusedByQueue(error.code())) {
      ctx.response().headers().set("Retry-After", String.valueOf(AdmissionPolicy.RETRY_AFTER_SECONDS));
    }
    error.send(ctx);
  }

  /** The backend at {@code index} already counts this request (see {@link BackendChooser#tryDispatch}). */
  private void attempt(RoutingContext ctx, RequestContext request, Role role, Peeked peek, FallbackWalk walk,
      List<Upstream> candidates, int index) {
    Upstream upstream = candidates.get(index);
    if (request.attempts++ == 0) {
      // The first backend: the role counts the request in flight until its line is written.
      request.state.exchanges().routed(request.alias);
    }
    // Each exchange reports its end to the line; one that moves the request on does so once the next step (another
    // backend, a fallback's queue, the error) holds the line itself.
    request.hold();
    request.upstream = upstream.toString();
    request.node = upstream.nodeId();
    request.servedBy = walk == null ? null : role.alias();
    request.error = null;
    ctx.response().headers().set(ServedBy.HEADER, role.servedBy().of(upstream));
    Buffer forwarded = peek.forUpstream().apply(upstream.model(), role.bodyDefaults());
    Future<UpstreamProxy.Outcome> exchange =
        proxies.apply(request.state).forward(ctx.request(), ctx.normalizedPath(), upstream, forwarded, request.id,
            request.started);
    exchange.onSuccess(request.guard(outcome -> {
      request.bytes += outcome.bytes();
      request.ttfbNanos = outcome.ttfbNanos();
      request.inputTokens = outcome.inputTokens();
      request.outputTokens = outcome.outputTokens();
      Failure failure = outcome.failure();
      if (failure != null && failure.kind() != Failure.Kind.CLIENT_GONE) {
        request.state.exchanges().upstreamFailed(role.alias(), request.node != null ? request.node : request.upstream,
            failure.kind().name().toLowerCase(Locale.ROOT));
      }
      boolean brokeBeforeAnswering = failure != null && !outcome.responded() && Retries.backendBroke(failure);
      BackendChooser chooser = request.state.chooser();
      chooser.finished(role, upstream, brokeBeforeAnswering);
      request.state.queues().slotFreed();
      UpstreamProbe probe = request.state.availability().probe();
      // Only fixed upstreams are probed, so only they are worth remembering; a 5xx (llama-server's 503 while it
      // loads) is no sign of health.
      if (upstream.nodeId() == null && failure == null && outcome.status() < 500) {
        probe.record(upstream, Availability.up());
      } else if (upstream.nodeId() == null && failure != null && failure.kind() == Failure.Kind.REFUSED) {
        probe.record(upstream, Availability.down(failure.detail()));
      }
      if (Retries.mayMoveOn(outcome)) {
        request.error = failure.detail();
        int next = nextWithRoom(chooser, role, candidates, index + 1);
        if (next >= 0) {
          attempt(ctx, request, role, peek, walk, candidates, next);
        } else if (upstream.nodeId() != null && request.attempts < NodeSelector.MAX_ATTEMPTS
            && chooser.atCapacity(role)) {
          // The role's other nodes are full, not down: the request waits for one of their slots, as it would
          // have had this node not been chosen (it cools down now, so it is not chosen again at once).
          enqueue(ctx, request, role, peek, walk);
        } else {
          cannotServe(ctx, request, role, peek, walk, errorFor(role, upstream, failure));
        }
        request.release();
        return;
      }
      if (failure != null) {
        request.error = failure.detail();
        request.unsentStatus = failure.kind().status();
        if (!outcome.responded() && failure.kind() != Failure.Kind.CLIENT_GONE) {
          errorFor(role, upstream, failure).send(ctx);
        }
      }
      request.release();
    }));
  }

  /** The first failover candidate from {@code from} on that takes the request (holding its slot), or -1. */
  private static int nextWithRoom(BackendChooser chooser, Role role, List<Upstream> candidates, int from) {
    for (int i = from; i < candidates.size(); i++) {
      if (chooser.tryDispatch(role, candidates.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Whether the caller's key may use an alias, for the fallbacks; null when it may use any. */
  private static Predicate<String> allowed(RoutingContext ctx) {
    Principal caller = KeyCheck.principal(ctx);
    return caller == null || caller.policy() == null ? null : caller::allows;
  }

  /** The caller's key scope and limits; answers 403 or 429 itself when they refuse. */
  private static boolean admit(RoutingContext ctx, RequestContext request, Role role) {
    Principal caller = KeyCheck.principal(ctx);
    if (caller == null || caller.policy() == null) {
      return true;
    }
    if (!caller.allows(role.alias())) {
      ctx.response().headers().set(ServedBy.HEADER, ServedBy.NONE);
      ApiError.modelNotAllowed(role.alias(), caller.keyName()).send(ctx);
      return false;
    }
    Admission admission = caller.policy().admit();
    admission.writeHeaders(ctx.response().headers());
    if (!admission.admitted()) {
      ctx.response().headers().set(ServedBy.HEADER, ServedBy.NONE);
      ApiError.rateLimited(admission.message(), admission.type()).send(ctx);
      return false;
    }
    request.admittedBy = caller.policy();
    return true;
  }

  /**
   * What routing reads from a body, and the body to send to a backend serving the given model with given defaults.
   *
   * @param user the kind of the top-level {@code user} value of a JSON body (a run id may be there), else null
   */
  private record Peeked(String model, boolean stream, JsonToken user, long[] conversation,
      BiFunction<String, Map<String, Object>, Buffer> forUpstream) {}

  /** A JSON body: the peek, the required field; null once an error is sent. */
  private Peeked peekJson(RoutingContext ctx, Buffer body) {
    RequestPeek peek;
    try {
      peek = RequestPeek.of(body);
    } catch (RequestPeek.Invalid invalid) {
      ApiError.invalidRequest(invalid.getMessage(), invalid.param()).send(ctx);
      return null;
    }
    JsonToken required = peek.topLevel().get(requiredField);
    if (required == null || required == JsonToken.VALUE_NULL) {
      ApiError.invalidRequest("Missing required parameter: '" + requiredField + "'", requiredField).send(ctx);
      return null;
    }
    return new Peeked(peek.model(), peek.stream(), peek.topLevel().get("user"), peek.conversation(),
        (upstreamModel, defaults) -> BodyRewriter.rewrite(body, peek, upstreamModel, defaults));
  }

  /**
   * A form upload: its {@code model} field, rewritten in place for the backend; the role's JSON defaults do not
   * apply to a form. Null once an error is sent.
   */
  private static Peeked peekForm(RoutingContext ctx, Buffer body) {
    MultipartForm form;
    try {
      form = MultipartForm.of(body, ctx.request().getHeader("Content-Type"));
    } catch (MultipartForm.Invalid invalid) {
      ApiError.invalidRequest("Malformed multipart/form-data body: " + invalid.getMessage(), null).send(ctx);
      return null;
    }
    return new Peeked(form.model(), form.stream(), null, ConversationChain.NONE,
        (upstreamModel, defaults) -> form.withModel(body, upstreamModel));
  }

  private static ApiError errorFor(Role role, Upstream upstream, Failure failure) {
    String message = "Backend for model '" + role.alias() + "' at " + upstream + " failed: " + failure.detail();
    return failure.kind().status() == 504 ? ApiError.gatewayTimeout(message) : ApiError.badGateway(message);
  }
}
