package dev.rolemesh.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Real model files kept in the repository (src/test/resources/models, licence note beside them). */
public final class TestModels {

  private TestModels() {}

  /** Karpathy's stories260K as GGUF (MIT): 1 MB, loads in milliseconds in any llama.cpp engine. */
  public static Path stories260K() {
    URL url = TestModels.class.getResource("/models/stories260K.gguf");
    if (url == null) {
      throw new IllegalStateException("src/test/resources/models/stories260K.gguf is missing from the test classpath");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
