package dev.rolemesh.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class MultipartFormTest {

  private static final String TYPE = "multipart/form-data; boundary=XyZ";

  private static Buffer form(String... parts) {
    StringBuilder body = new StringBuilder();
    for (String part : parts) {
      body.append("--XyZ\r\n").append(part).append("\r\n");
    }
    return Buffer.buffer(body.append("--XyZ--\r\n").toString());
  }

  private static final String FILE = "Content-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
      + "Content-Type: audio/wav\r\n\r\n--XyZ-not-a-boundary\r\nRIFF";
  private static final String MODEL = "Content-Disposition: form-data; name=\"model\"\r\n\r\nears";

  @Test
  void findsTheModelAfterTheFileAndTheStreamFlag() throws Exception {
    MultipartForm form = MultipartForm.of(
        form(FILE, MODEL, "Content-Disposition: form-data; name=\"stream\"\r\n\r\ntrue"), TYPE);

    assertThat(form.model()).isEqualTo("ears");
    assertThat(form.stream()).isTrue();
  }

  @Test
  void rewritesOnlyTheModelValue() throws Exception {
    Buffer body = form(MODEL, FILE);
    MultipartForm form = MultipartForm.of(body, TYPE);

    assertThat(form.withModel(body, "whisper-large-v3").toString())
        .isEqualTo(body.toString().replace("\r\n\r\nears\r\n", "\r\n\r\nwhisper-large-v3\r\n"));
    assertThat(form.withModel(body, "ears")).isSameAs(body);
  }

  @Test
  void aFormWithoutModelIsLeftAlone() throws Exception {
    Buffer body = form(FILE);
    MultipartForm form = MultipartForm.of(body, "multipart/form-data; boundary=\"XyZ\"");

    assertThat(form.model()).isNull();
    assertThat(form.withModel(body, "whisper")).isSameAs(body);
  }

  @Test
  void brokenFormsAreRefusedSayingWhy() {
    assertThatThrownBy(() -> MultipartForm.of(form(MODEL), "application/json"))
        .hasMessageContaining("multipart/form-data");
    assertThatThrownBy(() -> MultipartForm.of(form(MODEL), "multipart/form-data"))
        .hasMessageContaining("boundary");
    assertThatThrownBy(() -> MultipartForm.of(Buffer.buffer("--XyZ\r\nname=\"model\"\r\n\r\nears"), TYPE))
        .hasMessageContaining("not closed");
    assertThatThrownBy(() -> MultipartForm.of(Buffer.buffer("no parts at all"), TYPE))
        .hasMessageContaining("boundary");
  }
}
