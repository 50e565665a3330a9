package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import agentmsg.MessageStatus;
import agentmsg.testing.OriginalTool;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The original Node client (deboboy/agent-msg), run for real against our server. Skipped where node
 * or a copy of the original (installed at {@link #ORIGINAL}, with its node_modules) is not at hand;
 * {@code ServerIT} speaks its frames without it.
 */
class OriginalClientIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();
  @RegisterExtension final RunningServer running = new RunningServer(CLIENT);

  private static final Path ORIGINAL = OriginalTool.ORIGINAL;

  @TempDir Path scratch;

  @Test
  void theOriginalsSendAsAnOfflineAgentLeavesThatAgentsMailPending() throws Exception {
    OriginalTool.assumeAvailable();
    List<String> pending = new ArrayList<>();
    try (AgentMessenger alice = running.messenger("alice")) {
      for (int i = 0; i < 3; i++) {
        pending.add(alice.send("bob", "while bob was away " + i).id());
      }
    }

    // `send -w -s bob` registers as bob (who has no receiving connection), then sends.
    String url = running.server().uri() + "/?token=" + TestSocket.token(running.home(), "bob");
    Result sent = original("send", "alice", "from the original", "-w", "-s", "bob", "-u", url);
    assertThat(sent.exitCode()).as(sent.output()).isZero();

    try (AgentMessenger bob = running.messenger("bob")) {
      for (String id : pending) {
        assertThat(bob.status(id).get(0).status())
            .as("not taken by the original's send: %s", id)
            .isEqualTo(MessageStatus.STORED);
      }
    }
    try (AgentMessenger alice = running.messenger("alice")) {
      assertThat(alice.unread()).extracting(Message::body).containsExactly("from the original");
    }
    // bob's own connection gets every one of them.
    TestSocket bob = running.hello("bob", "receive");
    List<String> received = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      JsonNode message = bob.nextOf("message");
      received.add(message.path("id").asText());
      bob.ack(message.path("id").asText());
    }
    assertThat(received).containsExactlyElementsOf(pending);
  }

  private record Result(int exitCode, String output) {}

  /** Runs the original CLI from a scratch copy, with HOME in the scratch folder. */
  private Result original(String... args) throws Exception {
    Path app = scratch.resolve("app");
    if (!Files.exists(app)) {
      OriginalTool.copyTree(ORIGINAL, app);
    }
    Path home = Files.createDirectories(scratch.resolve("home"));
    List<String> command =
        new ArrayList<>(List.of("node", app.resolve("bin/agent-msg").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("HOME", home.toString());
    builder.directory(scratch.toFile());
    Path output = scratch.resolve("output.txt");
    builder.redirectOutput(output.toFile());
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(
          "the original did not exit within 60 s: " + Files.readString(output));
    }
    return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }
}
