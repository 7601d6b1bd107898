package dev.rolemesh.nodeagent;

import static dev.rolemesh.nodeagent.AgentHarness.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.testing.RawHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Host facts in the inventory: GPUs from nvidia-smi when there is one, CPU only (and no error) when not; and the
 * agent's read endpoints answer HEAD.
 */
class InventoryTest {

  @RegisterExtension final AgentHarness harness = new AgentHarness();

  private String config(String nvidiaSmi) {
    return "nvidia_smi: '" + nvidiaSmi + "'\ngpus: [0, 1]\nmodels:\n  - {model_id: m, path: "
        + harness.weights("m.Q8_0.gguf") + ", roles: [r]}\n";
  }

  @Test
  void parsesNvidiaSmiCsvIncludingNamesWithCommasAndMissingFigures() {
    assertThat(HostFacts.parseCsv("0, Tesla P40, 24576, 120\n1, Weird, Name, 81920, [N/A]\nNo devices were found\n"))
        .containsExactly(
            new HostFacts.Gpu(0, "Tesla P40", 24576, 120),
            new HostFacts.Gpu(1, "Weird, Name", 81920, -1));
  }

  @Test
  void inventoryReportsGpusFromNvidiaSmiAndEveryServerSlot() throws Exception {
    Path smi = Files.writeString(harness.dir().resolve("nvidia-smi"),
        "#!/bin/sh\nprintf '0, Tesla P40, 24576, 1024\\n1, Tesla P40, 24576, 0\\n'\n");
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    harness.start(config(smi.toString()));

    JsonNode inventory = harness.inventory();

    assertThat(inventory.get("node_id").asText()).isEqualTo("test-node");
    JsonNode host = inventory.get("host");
    assertThat(host.get("cpus").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(host.get("ram_total_bytes").asLong()).isPositive();
    assertThat(host.get("gpus")).hasSize(2);
    assertThat(host.at("/gpus/0/name").asText()).isEqualTo("Tesla P40");
    assertThat(host.at("/gpus/0/memory_total_mib").asLong()).isEqualTo(24576);
    assertThat(host.at("/gpus/0/memory_used_mib").asLong()).isEqualTo(1024);
    assertThat(host.has("gpu_error")).isFalse();
    assertThat(inventory.get("servers")).extracting(server -> server.get("gpu").asInt()).containsExactly(0, 1);
    assertThat(inventory.get("servers")).allSatisfy(server -> {
      assertThat(server.get("state").asText()).isEqualTo("empty");
      assertThat(server.get("pid").isNull()).isTrue();
    });
    JsonNode model = inventory.get("models").get(0);
    assertThat(model.get("model_id").asText()).isEqualTo("m");
    assertThat(model.get("quant").asText()).isEqualTo("Q8_0");
    assertThat(model.get("loaded").asBoolean()).isFalse();
  }

  @Test
  void withoutNvidiaSmiTheHostIsCpuOnlyAndThatIsNoError() throws Exception {
    harness.start(config(harness.dir().resolve("no-such-nvidia-smi").toString()));

    JsonNode host = harness.inventory().get("host");

    assertThat(host.get("gpus")).isEmpty();
    assertThat(host.has("gpu_error")).isFalse();
    assertThat(harness.get("/health").statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(harness.get("/v1/models").body()).at("/data/0/id").asText()).isEqualTo("m");
  }

  @Test
  void headOnEveryGetEndpointIsItsHeadWithoutABody() throws Exception {
    harness.start(config(harness.dir().resolve("no-such-nvidia-smi").toString()));

    for (String path : new String[] {"/health", "/ready", "/v1/models", "/v1/node/inventory", "/metrics"}) {
      try (RawHttp http = new RawHttp(harness.agent().port())) {
        http.send("HEAD", path, null);
        RawHttp.Response head = http.readHead();
        assertThat(head.status()).as(path).isEqualTo(200);
        assertThat(head.header("Content-Type")).as(path).isNotNull();

        // Had the HEAD answer carried a body, this second response would not parse.
        http.send("GET", "/health", null);
        RawHttp.Response next = http.readResponse();
        assertThat(next.status()).as(path).isEqualTo(200);
        assertThat(next.json().path("status").asText()).as(path).isEqualTo("ok");
      }
    }
  }

  @Test
  void aMethodAPathDoesNotTakeGetsAnOpenAiShaped405NamingTheOnesItDoes() throws Exception {
    harness.start(config(harness.dir().resolve("no-such-nvidia-smi").toString()));

    try (RawHttp http = new RawHttp(harness.agent().port())) {
      http.send("GET", "/v1/chat/completions", null);
      RawHttp.Response response = http.readResponse();

      assertThat(response.status()).isEqualTo(405);
      assertThat(response.header("Allow")).isEqualTo("POST");
      assertThat(response.json().at("/error/code").asText()).isEqualTo("method_not_allowed");
      assertThat(response.json().at("/error/message").asText()).contains("GET", "/v1/chat/completions", "POST");
    }
  }
}
