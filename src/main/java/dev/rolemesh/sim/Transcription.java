package dev.rolemesh.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolemesh.json.Json;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * POST /v1/audio/transcriptions: a {@code multipart/form-data} upload with the audio as the {@code file} part and
 * {@code model}, {@code language}, ... as fields. The audio is counted, not kept; the "transcript" is the start of
 * the story, {@code n_predict} tokens long, in OpenAI's {@code {"text": ...}} shape.
 */
final class Transcription {

  private Transcription() {}

  /**
   * Reads the form; {@code then} gets what /sim/stats records (the fields, then {@code file} with its name, type and
   * size) and the error to answer with, or null.
   */
  static void read(HttpServerRequest request, BiConsumer<ObjectNode, LlamaError> then) {
    String contentType = request.getHeader("Content-Type");
    boolean multipart = contentType != null
        && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    ObjectNode file = Json.object();
    if (multipart) {
      request.setExpectMultipart(true);
      request.uploadHandler(upload -> {
        if (!upload.name().equals("file")) {
          upload.handler(ignored -> {});
          return;
        }
        file.put("filename", upload.filename()).put("content_type", upload.contentType()).put("bytes", 0L);
        upload.handler(chunk -> file.put("bytes", file.get("bytes").asLong() + chunk.length()));
      });
    }
    request.exceptionHandler(ignored -> {});
    request.endHandler(ended -> {
      ObjectNode record = Json.object();
      for (Map.Entry<String, String> field : request.formAttributes()) {
        record.put(field.getKey(), field.getValue());
      }
      if (!file.isEmpty()) {
        record.set("file", file);
      }
      LlamaError error = !multipart ? LlamaError.invalidRequest("Expected a multipart/form-data body")
          : file.isEmpty() ? LlamaError.invalidRequest("'file' is required")
          : null;
      then.accept(record, error);
    });
  }

  static ObjectNode response(int tokens) {
    return Json.object().put("text", TokenSource.text(tokens));
  }
}
