package dev.rolemesh.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.List;

/**
 * A validated {@code POST /v1/nodes/register} body, in the {@code served_models} form whichever schema the node
 * used.
 *
 * @param baseUrl {@code http(s)://host[:port]}, normalised to no trailing slash
 * @param meta node-level metadata (an object, never mutated after parsing)
 */
public record Registration(String nodeId, URI baseUrl, List<ServedModel> servedModels, JsonNode meta) {}
