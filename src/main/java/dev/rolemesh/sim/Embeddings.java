package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * POST /v1/embeddings: OpenAI's list shape with one unit-length vector of {@value #DIMENSIONS} floats per input,
 * drawn from a generator seeded with a hash of the input, so equal inputs always embed equally.
 */
final class Embeddings {

  /** The simulated model's {@code n_embd}, also reported by /v1/models. */
  static final int DIMENSIONS = 64;

  private Embeddings() {}

  /**
   * The inputs of a request body: {@code input} (or llama-server's {@code content}) as a string, an array of strings,
   * an array of token ids or an array of such arrays; token ids are embedded by their text.
   */
  static List<String> inputs(JsonNode body) {
    JsonNode input = body.has("input") ? body.get("input") : body.path("content");
    if (input.isMissingNode()) {
      throw LlamaError.invalidRequest("\"input\" or \"content\" must be provided");
    }
    List<String> inputs = new ArrayList<>();
    if (input.isArray() && !input.isEmpty() && !input.get(0).isNumber()) {
      input.forEach(item -> inputs.add(item.isTextual() ? item.asText() : item.toString()));
    } else {
      inputs.add(input.isTextual() ? input.asText() : input.toString());
    }
    return inputs;
  }

  static int tokens(List<String> inputs) {
    return inputs.stream().mapToInt(TokenSource::estimateTokens).sum();
  }

  static ObjectNode response(List<String> inputs, String model) {
    int tokens = tokens(inputs);
    ObjectNode body = Json.object().put("model", model).put("object", "list");
    body.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    ArrayNode data = body.putArray("data");
    for (int i = 0; i < inputs.size(); i++) {
      ObjectNode item = data.addObject();
      ArrayNode vector = item.putArray("embedding");
      for (float value : vector(inputs.get(i))) {
        vector.add(value);
      }
      item.put("index", i).put("object", "embedding");
    }
    return body;
  }

  static float[] vector(String input) {
    SplittableRandom random = new SplittableRandom(fnv1a(input.getBytes(StandardCharsets.UTF_8)));
    double[] raw = new double[DIMENSIONS];
    double norm = 0;
    for (int i = 0; i < DIMENSIONS; i++) {
      raw[i] = random.nextGaussian();
      norm += raw[i] * raw[i];
    }
    norm = Math.sqrt(norm);
    float[] vector = new float[DIMENSIONS];
    for (int i = 0; i < DIMENSIONS; i++) {
      vector[i] = (float) (raw[i] / norm);
    }
    return vector;
  }

  // a stable hash: String.hashCode is 32 bits only, and the seed should differ for near-identical inputs
  private static long fnv1a(byte[] bytes) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }
}
