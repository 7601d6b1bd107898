package dev.rolemesh.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.rolemesh.http.RequestPeek;
import dev.rolemesh.json.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Objects;

/**
 * Produces the body sent upstream: the client's bytes untouched when nothing changes, otherwise the same bytes with
 * the {@code model} value replaced and the role's missing defaults inserted before the closing brace. The result is
 * spliced, not re-serialised: slices of the client's buffer around a few new bytes, so a 30 MiB prompt is neither
 * decoded nor copied, and whatever it holds (even bytes no JSON writer would produce) reaches the backend as sent.
 */
public final class BodyRewriter {

  private static final byte[] COMMA = {','};

  private BodyRewriter() {}

  /**
   * @param defaults the role's {@code defaults}, without {@code model} (that one arrives as {@code upstreamModel})
   */
  public static Buffer rewrite(Buffer body, RequestPeek peek, String upstreamModel, Map<String, Object> defaults) {
    boolean modelChanges = !Objects.equals(peek.model(), upstreamModel);
    byte[] inserted = missingFields(peek, modelChanges && peek.modelStart() < 0 ? upstreamModel : null, defaults);
    if (!modelChanges && inserted == null) {
      return body;
    }
    ByteBuf bytes = ((BufferInternal) body).unwrap();
    int base = bytes.readerIndex();
    CompositeByteBuf out = Unpooled.compositeBuffer(5);
    int copied = 0;
    if (peek.modelStart() >= 0 && modelChanges) {
      out.addComponent(true, bytes.slice(base, peek.modelStart()));
      out.addComponent(true, Unpooled.wrappedBuffer(quoted(upstreamModel)));
      copied = peek.modelEnd();
    }
    if (inserted != null) {
      out.addComponent(true, bytes.slice(base + copied, peek.closingBrace() - copied));
      out.addComponent(true, Unpooled.wrappedBuffer(inserted));
      copied = peek.closingBrace();
    }
    out.addComponent(true, bytes.slice(base + copied, body.length() - copied));
    return BufferInternal.buffer(out);
  }

  /**
   * {@code ,"key":value...} for each default the body lacks (and {@code model} when it has none), without the
   * leading comma when the object is empty; null when nothing is missing.
   */
  private static byte[] missingFields(RequestPeek peek, String model, Map<String, Object> defaults) {
    ByteArrayOutputStream fields = null;
    if (model != null) {
      fields = field(null, peek, "model", model);
    }
    for (Map.Entry<String, Object> entry : defaults.entrySet()) {
      if (!peek.has(entry.getKey())) {
        fields = field(fields, peek, entry.getKey(), entry.getValue());
      }
    }
    return fields == null ? null : fields.toByteArray();
  }

  private static ByteArrayOutputStream field(ByteArrayOutputStream fields, RequestPeek peek, String key,
      Object value) {
    ByteArrayOutputStream out = fields == null ? new ByteArrayOutputStream(64) : fields;
    if (fields != null || !peek.topLevel().isEmpty()) {
      out.writeBytes(COMMA);
    }
    out.writeBytes(quoted(key));
    out.write(':');
    try {
      out.writeBytes(Json.MAPPER.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("config defaults are plain JSON values", e);
    }
    return out;
  }

  private static byte[] quoted(String text) {
    byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(text);
    byte[] out = new byte[escaped.length + 2];
    out[0] = '"';
    System.arraycopy(escaped, 0, out, 1, escaped.length);
    out[out.length - 1] = '"';
    return out;
  }
}
