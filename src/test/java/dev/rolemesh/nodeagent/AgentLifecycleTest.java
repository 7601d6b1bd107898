package dev.rolemesh.nodeagent;

import static dev.rolemesh.nodeagent.AgentHarness.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.JavaProcess;
import dev.rolemesh.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent as its own process, registered with a gateway: a reload retires a removed model only after its stream
 * ends and advertises the new one at once; SIGTERM lets a stream finish, then deregisters and stops its server.
 */
class AgentLifecycleTest {

  @RegisterExtension final AgentHarness harness = new AgentHarness();
  private final TestGateway gateway = new TestGateway().clientAndNodeKeys()
      .discovered("old", "old-role", ModelTarget.Strategy.ROUND_ROBIN)
      .discovered("new", "new-role", ModelTarget.Strategy.ROUND_ROBIN)
      .start();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private JavaProcess agent;
  private String agentUrl;

  @AfterEach
  void cleanUp() throws Exception {
    if (agent != null) {
      agent.process().descendants().forEach(ProcessHandle::destroyForcibly);
      agent.process().destroyForcibly();
    }
    client.close();
    gateway.close();
  }

  private String yaml(String... models) {
    StringBuilder yaml = new StringBuilder("gateway: {url: '" + gateway.baseUrl() + "', node_key: "
        + TestGateway.NODE_KEY + ", heartbeat_s: 1}\nshutdown_grace_s: 120\ngpus: [0, 1]\nmodels:\n");
    for (String model : models) {
      yaml.append("  - {model_id: ").append(model).append(", path: ").append(harness.weights(model + ".gguf"))
          .append(", roles: [").append(model).append("-role], args: [--token-delay-ms, '50']}\n");
    }
    return yaml.toString();
  }

  private void startAgent(String yaml) throws Exception {
    harness.config("", yaml);
    agent = JavaProcess.start(harness.dir(), List.of("-Xmx128m"), false,
        "node-agent", "--config", harness.dir().resolve("agent.yaml").toString());
    agentUrl = JSON.readTree(agent.awaitLine(event("agent_started"))).get("listen").asText();
    Await.until("the agent registered", () -> servedModels().size() > 0);
  }

  private List<String> servedModels() {
    List<String> models = new ArrayList<>();
    for (JsonNode node : gateway.get("/v1/nodes", "X-Api-Key", TestGateway.CLIENT_KEY).json().path("data")) {
      node.path("served_models").forEach(model -> models.add(model.path("model_id").asText()));
    }
    return models;
  }

  /** A stream of {@code tokens} × 50 ms straight to the agent, returned once its head arrived. */
  private CompletableFuture<String> stream(String model, int tokens) {
    HttpResponse<java.util.stream.Stream<String>> head = client.sendAsync(
        HttpRequest.newBuilder(URI.create(agentUrl + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(TestGateway.chat(model,
                "\"max_tokens\":" + tokens + ",\"stream\":true"))).build(),
        HttpResponse.BodyHandlers.ofLines()).join();
    assertThat(head.statusCode()).isEqualTo(200);
    return CompletableFuture.supplyAsync(() -> head.body().filter(line -> !line.isEmpty())
        .collect(Collectors.joining("\n")));
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(agent.process().pid())).start();
    assertThat(kill.waitFor()).isZero();
  }

  private static Predicate<String> event(String name) {
    return line -> line.contains("\"event\":\"" + name + "\"");
  }

  @Test
  void aReloadRetiresARemovedModelAfterItsStreamAndAdvertisesTheNewOneAtOnce() throws Exception {
    startAgent(yaml("old"));
    CompletableFuture<String> open = stream("old", 60);

    harness.config("", yaml("new"));
    signal("HUP");
    String reloaded = agent.awaitLine(event("reloaded"));

    assertThat(reloaded).contains("\"added\":[\"new\"]").contains("\"removed\":[\"old\"]");
    Await.until("the new model advertised", () -> servedModels().equals(List.of("new")));
    assertThat(open.join()).endsWith("data: [DONE]");
    String stopped = agent.awaitLine(event("server_stopped"));
    assertThat(stopped).contains("\"model\":\"old\"");
    List<String> output = agent.output();
    assertThat(output.indexOf(stopped)).isGreaterThan(output.indexOf(agent.awaitLine(event("server_retire"))));
  }

  @Test
  void sigtermLetsAStreamFinishThenDeregistersAndStopsItsServer() throws Exception {
    startAgent(yaml("old"));
    CompletableFuture<String> open = stream("old", 40);

    agent.terminate();
    agent.awaitLine(event("draining"));

    assertThat(open.join()).endsWith("data: [DONE]");
    assertThat(agent.awaitExit()).isZero();
    List<String> output = agent.output();
    assertThat(output).anyMatch(event("node_deregistered")).anyMatch(event("server_stopped"))
        .noneMatch(event("shutdown_cut"));
    assertThat(servedModels()).isEmpty();
  }

  @Test
  void anInvalidReloadKeepsTheModelsServing() throws Exception {
    startAgent(yaml("old"));
    Files.writeString(harness.dir().resolve("agent.yaml"), "models: nonsense\n");

    signal("HUP");

    assertThat(agent.awaitLine(event("reload_failed"))).contains("agent.yaml");
    assertThat(stream("old", 2).join()).endsWith("data: [DONE]");
  }

  @Test
  void aReloadThatKeepsAModelKeepsItsServer() throws Exception {
    startAgent(yaml("old"));
    assertThat(stream("old", 1).join()).endsWith("data: [DONE]");

    harness.config("", yaml("old", "new"));
    signal("HUP");
    agent.awaitLine(event("reloaded"));

    assertThat(stream("old", 1).join()).endsWith("data: [DONE]");
    assertThat(agent.output()).noneMatch(event("server_switch")).noneMatch(event("server_stopped"))
        .filteredOn(event("server_starting")).hasSize(1);
  }
}
