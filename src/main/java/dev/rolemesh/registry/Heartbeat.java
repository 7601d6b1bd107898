package dev.rolemesh.registry;

/** A validated {@code POST /v1/nodes/heartbeat} body: the node id and the load figures it chose to report. */
public record Heartbeat(String nodeId, Node.Load load) {}
