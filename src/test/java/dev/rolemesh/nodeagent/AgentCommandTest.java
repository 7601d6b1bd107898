package dev.rolemesh.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.testing.JavaProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rolemesh node-agent} as a command. */
class AgentCommandTest {

  @TempDir Path dir;

  @Test
  void aBadConfigIsOneLineStartingWithTheAgentsName() throws Exception {
    Files.writeString(dir.resolve("agent.yaml"), "node_id: box\nlisten: {hots: 127.0.0.1}\n");

    try (JavaProcess agent = JavaProcess.start(dir, List.of(), true, "node-agent", "--config", "agent.yaml")) {
      assertThat(agent.awaitExit()).isEqualTo(2);
      assertThat(agent.errors()).isNotEmpty().allMatch(line -> line.startsWith("rolemesh-node-agent: "));
      assertThat(agent.errors()).contains(
          "rolemesh-node-agent: warning: agent.yaml: unknown key listen.hots (ignored; did you mean host?)");
    }
  }

  @Test
  void listeningBeyondLoopbackWarnsLoudlyThatTheAgentHasNoAuthentication() throws Exception {
    Files.writeString(dir.resolve("agent.yaml"), """
        node_id: open-box
        listen: {host: 0.0.0.0, port: 0}
        llama_server: {binary: /bin/sh}
        models:
          - {model_id: m, path: /models/m.gguf, roles: [r]}
        """);

    try (JavaProcess agent = JavaProcess.start(dir, "node-agent", "--config", "agent.yaml")) {
      assertThat(agent.awaitLine(line -> line.contains("\"exposed_without_auth\"")))
          .contains("WARNING: listening on non-loopback address 0.0.0.0")
          .contains("can use this node's models");
    }
  }
}
