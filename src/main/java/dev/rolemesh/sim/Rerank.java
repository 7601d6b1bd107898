package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * POST /v1/rerank (and /v1/reranking, /rerank): llama-server's list of {@code results}, each a document
 * {@code index} and its {@code relevance_score}, best first, cut to {@code top_n}. The simulated score is the share
 * of the query's words that occur in the document, so a test can predict the order.
 *
 * @param query the {@code query} field
 * @param documents the {@code documents} field
 * @param topN how many results to return
 */
record Rerank(String query, List<String> documents, int topN) {

  static Rerank parse(JsonNode body) {
    JsonNode query = body.path("query");
    if (!query.isTextual()) {
      throw LlamaError.invalidRequest("\"query\" must be provided");
    }
    JsonNode documents = body.path("documents");
    if (!documents.isArray() || documents.isEmpty()) {
      throw LlamaError.invalidRequest("\"documents\" must be a non-empty string array");
    }
    List<String> texts = new ArrayList<>();
    documents.forEach(document -> texts.add(document.isTextual() ? document.asText() : document.toString()));
    return new Rerank(query.asText(), texts, body.path("top_n").asInt(texts.size()));
  }

  /** One query-document pair per document, as llama-server tokenizes them. */
  int tokens() {
    int queryTokens = TokenSource.estimateTokens(query);
    return documents.stream().mapToInt(document -> queryTokens + TokenSource.estimateTokens(document)).sum();
  }

  ObjectNode response(String model) {
    int tokens = tokens();
    ObjectNode body = Json.object().put("model", model).put("object", "list");
    body.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    Set<String> queryWords = words(query);
    List<double[]> scored = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      Set<String> documentWords = words(documents.get(i));
      long shared = queryWords.stream().filter(documentWords::contains).count();
      scored.add(new double[] {i, queryWords.isEmpty() ? 0.0 : (double) shared / queryWords.size()});
    }
    scored.sort(Comparator.comparingDouble((double[] pair) -> -pair[1]));
    ArrayNode results = body.putArray("results");
    scored.stream().limit(Math.max(0, topN)).forEach(pair ->
        results.addObject().put("index", (int) pair[0]).put("relevance_score", pair[1]));
    return body;
  }

  private static Set<String> words(String text) {
    return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
        .filter(word -> !word.isEmpty())
        .collect(Collectors.toSet());
  }
}
