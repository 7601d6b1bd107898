package dev.rolemesh.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/**
 * {@code GET /v1/nodes}, written a few nodes at a time as fast as the client reads. A thousand nodes with their
 * metadata make megabytes of JSON; built whole, each slow or stalled reader would hold its own copy. Streamed, a
 * reader holds a snapshot of the (immutable, shared) node records and at most one chunk beyond the connection's
 * write queue.
 */
final class NodeListing {

  private static final int CHUNK_BYTES = 16 * 1024;

  private final HttpServerResponse response;
  private final NodeStore registry;
  private final List<Node> nodes;
  private int next;

  private NodeListing(HttpServerResponse response, NodeStore registry) {
    this.response = response;
    this.registry = registry;
    this.nodes = registry.nodes();
  }

  static void send(HttpServerResponse response, NodeStore registry) {
    NodeListing listing = new NodeListing(response, registry);
    Number stale = registry.staleAfterSeconds();
    response.setStatusCode(200).putHeader("Content-Type", "application/json").setChunked(true);
    response.write(Buffer.buffer("{\"object\":\"list\",\"stale_after_s\":"
        + (stale instanceof Long whole ? whole.toString() : String.valueOf(stale.doubleValue())) + ",\"data\":["));
    listing.pump();
  }

  private void pump() {
    while (next < nodes.size()) {
      if (response.closed()) {
        return;
      }
      if (response.writeQueueFull()) {
        response.drainHandler(drained -> pump());
        return;
      }
      Buffer chunk = Buffer.buffer(CHUNK_BYTES + 1024);
      while (next < nodes.size() && chunk.length() < CHUNK_BYTES) {
        if (next > 0) {
          chunk.appendByte((byte) ',');
        }
        chunk.appendBytes(entry(nodes.get(next++)));
      }
      response.write(chunk);
    }
    if (!response.closed()) {
      response.end(Buffer.buffer("]}"));
    }
  }

  /** What an operator sees of a node: its registration and timestamps, with its freshness and this gateway's load. */
  private byte[] entry(Node node) {
    NodeTraffic traffic = registry.traffic();
    ObjectNode entry = NodeJson.JSON.createObjectNode();
    entry.put("node_id", node.nodeId());
    entry.put("state", registry.fresh(node) ? "fresh" : "stale");
    entry.put("age_s", registry.age(node).toMillis() / 1000.0);
    node.roles().forEach(entry.putArray("roles")::add);
    entry.put("in_flight", traffic.inFlight(node.nodeId()));
    entry.put("cooldown_s", traffic.cooldownLeft(node.nodeId()).toMillis() / 1000.0);
    entry.setAll(NodeJson.write(node));
    try {
      return NodeJson.JSON.writeValueAsBytes(entry);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain nodes always serialises", e);
    }
  }
}
