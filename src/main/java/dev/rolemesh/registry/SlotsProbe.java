package dev.rolemesh.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.http.Upstream;
import dev.rolemesh.observability.JsonLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.time.Duration;

/**
 * Learns the capacity of a node that registered without reporting it: a bare llama-server (registered by a script,
 * not by the node agent, which sends {@code served_models[].meta.parallel}) lists one entry per slot at
 * {@code GET /slots}. A server started with {@code --no-slots} answers 501 (an older one or another server 404):
 * its capacity stays unknown, and requests go to it as if there were no queue.
 */
public final class SlotsProbe {

  /** For the whole exchange, not only between bytes: a node trickling its answer must not hold the probe. */
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  /** A real {@code /slots} is a few KiB per slot; anything larger is not one and is not read further. */
  static final int MAX_BODY_BYTES = 1 << 20;

  private final ProbedSlots into;
  private final JsonLog log;

  public SlotsProbe(ProbedSlots into, JsonLog log) {
    this.into = into;
    this.log = log;
  }

  /** Whether any model of the node leaves its capacity unsaid: only then is {@code /slots} worth asking. */
  public static boolean needed(Node node) {
    return node.servedModels().stream().anyMatch(model -> model.slots() == 0);
  }

  /**
   * Asks the node behind {@code target} (its base URL, the node key and TLS the gateway calls it with) in the
   * background; the answer is recorded for routing and logged.
   */
  public Future<Integer> probe(Vertx vertx, HttpClient client, Node node, Upstream target) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(target.host())
        .setPort(target.port())
        .setSsl(target.ssl())
        .setSslOptions(target.tls())
        .setURI(target.pathFor("/slots"))
        .setConnectTimeout(TIMEOUT.toMillis())
        .setIdleTimeout(TIMEOUT.toMillis());
    if (target.apiKey() != null) {
      options.putHeader("Authorization", "Bearer " + target.apiKey());
    }
    Promise<Integer> answer = Promise.promise();
    client.request(options).onFailure(answer::tryFail).onSuccess(request -> {
      long deadline = vertx.setTimer(TIMEOUT.toMillis(), id -> giveUp(request, answer));
      answer.future().onComplete(done -> vertx.cancelTimer(deadline));
      request.send().onFailure(answer::tryFail).onSuccess(response -> {
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
          if (body.length() + chunk.length() > MAX_BODY_BYTES) {
            giveUp(request, answer);
          } else {
            body.appendBuffer(chunk);
          }
        });
        response.exceptionHandler(answer::tryFail);
        response.endHandler(end -> answer.tryComplete(response.statusCode() == 200 ? count(body) : 0));
      });
    });
    return answer.future()
        .recover(failed -> Future.succeededFuture(0))
        .onSuccess(slots -> {
          into.found(node.nodeId(), slots);
          if (slots > 0) {
            log.info("node_slots", "Node " + node.nodeId() + " serves " + slots + " requests at once (its /slots)",
                "node_id", node.nodeId(), "slots", slots);
          } else {
            log.info("node_slots_unknown", "Node " + node.nodeId() + " reports no capacity and its /slots does not"
                + " say: requests go to it without queueing", "node_id", node.nodeId());
          }
        });
  }

  /** Stops reading an answer that is too slow or too large: the connection is closed, the capacity stays unknown. */
  private static void giveUp(HttpClientRequest request, Promise<Integer> answer) {
    if (answer.tryComplete(0)) {
      request.reset();
    }
  }

  /** The slots a {@code GET /slots} body lists (one array entry each); 0 for anything else. */
  static int count(Buffer body) {
    try {
      JsonNode slots = NodeJson.JSON.readTree(body.getBytes());
      return slots != null && slots.isArray() ? slots.size() : 0;
    } catch (IOException e) {
      return 0;
    }
  }
}
