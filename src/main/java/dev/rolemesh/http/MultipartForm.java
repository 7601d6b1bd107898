package dev.rolemesh.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What routing needs from a {@code multipart/form-data} body (an audio upload): the {@code model} and
 * {@code stream} fields, found by walking the part boundaries in the received bytes, without copying or decoding
 * the file parts. The model is rewritten by splicing the bytes around its value, so the audio is never copied.
 *
 * @param model the {@code model} field, or null when the form has none
 * @param stream whether the {@code stream} field is {@code true}
 * @param modelStart offset of the model value in the body, -1 without one
 * @param modelEnd offset just past the model value
 */
public record MultipartForm(String model, boolean stream, int modelStart, int modelEnd) {

  /** The body is not a well-formed form; the message says where it went wrong. */
  public static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};

  /** Reads the form's field positions; {@code contentType} must be {@code multipart/form-data} with a boundary. */
  public static MultipartForm of(Buffer body, String contentType) throws Invalid {
    String boundary = boundary(contentType);
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    byte[] nextPart = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    int at = indexOf(body, delimiter, 0);
    if (at < 0) {
      throw new Invalid("the body does not contain the boundary given in Content-Type");
    }
    String model = null;
    boolean stream = false;
    int modelStart = -1;
    int modelEnd = -1;
    while (true) {
      at += delimiter.length;
      if (startsWith(body, at, new byte[] {'-', '-'})) {
        return new MultipartForm(model, stream, modelStart, modelEnd);
      }
      if (!startsWith(body, at, CRLF)) {
        throw new Invalid("a boundary line is not followed by CRLF");
      }
      int headEnd = indexOf(body, HEAD_END, at);
      if (headEnd < 0) {
        throw new Invalid("a part's headers do not end");
      }
      String name = fieldName(body.getString(at + 2, headEnd + 2, "ISO-8859-1"));
      int contentStart = headEnd + HEAD_END.length;
      int contentEnd = indexOf(body, nextPart, contentStart);
      if (contentEnd < 0) {
        throw new Invalid("a part is not closed by the boundary");
      }
      if ("model".equals(name)) {
        model = body.getString(contentStart, contentEnd, "UTF-8");
        modelStart = contentStart;
        modelEnd = contentEnd;
      } else if ("stream".equals(name)) {
        stream = body.getString(contentStart, contentEnd, "UTF-8").trim().equalsIgnoreCase("true");
      }
      at = contentEnd + 2;
    }
  }

  /**
   * The body with the model value replaced, spliced like {@code BodyRewriter} does a JSON body: slices of the
   * client's buffer around the new name, so the audio is not copied. The same buffer when there is no model field or
   * it already matches.
   */
  public Buffer withModel(Buffer body, String upstreamModel) {
    if (modelStart < 0 || upstreamModel == null || upstreamModel.equals(model)) {
      return body;
    }
    ByteBuf bytes = ((BufferInternal) body).unwrap();
    int base = bytes.readerIndex();
    CompositeByteBuf out = Unpooled.compositeBuffer(3)
        .addComponent(true, bytes.slice(base, modelStart))
        .addComponent(true, Unpooled.wrappedBuffer(upstreamModel.getBytes(StandardCharsets.UTF_8)))
        .addComponent(true, bytes.slice(base + modelEnd, body.length() - modelEnd));
    return BufferInternal.buffer(out);
  }

  static String boundary(String contentType) throws Invalid {
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw new Invalid("Content-Type must be multipart/form-data");
    }
    for (String param : contentType.split(";")) {
      String trimmed = param.trim();
      if (trimmed.regionMatches(true, 0, "boundary=", 0, 9)) {
        String value = trimmed.substring(9);
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        if (!value.isEmpty() && value.length() <= 70) {
          return value;
        }
      }
    }
    throw new Invalid("Content-Type multipart/form-data needs a boundary of 1 to 70 characters");
  }

  /** The {@code name} of a part's {@code Content-Disposition: form-data; name="..."} header, or null. */
  private static String fieldName(String headers) {
    for (String line : headers.split("\r\n")) {
      if (!line.regionMatches(true, 0, "content-disposition:", 0, 20)) {
        continue;
      }
      for (String param : line.substring(20).split(";")) {
        String trimmed = param.trim();
        if (trimmed.startsWith("name=")) {
          String value = trimmed.substring(5);
          return value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2
              ? value.substring(1, value.length() - 1) : value;
        }
      }
    }
    return null;
  }

  private static boolean startsWith(Buffer body, int at, byte[] prefix) {
    if (at + prefix.length > body.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (body.getByte(at + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(Buffer body, byte[] needle, int from) {
    int last = body.length() - needle.length;
    for (int at = from; at <= last; at++) {
      if (body.getByte(at) == needle[0] && startsWith(body, at, needle)) {
        return at;
      }
    }
    return -1;
  }
}
