package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.ChildJvm;
import agentmsg.testing.ChildJvm.Result;
import agentmsg.testing.InProcessCli;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What our clients do against a server of the original tool, which speaks only its own frames
 * ({@code register}, {@code message}, {@code delivered}, {@code ping}/{@code pong}) and ignores
 * {@code hello}: they find out at once and speak its frames, and say in one line what it cannot do.
 * Run against a stub of its frames and, where node is at hand, against the original itself.
 */
abstract class OriginalServerContract {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  /** The URL of a running server of the original tool. */
  abstract URI url();

  /** Waits until {@code agent} has registered with the server (what the server itself says). */
  abstract void awaitRegistered(String agent) throws InterruptedException;

  @Test
  void pingSaysAtOnceThatTheServerCannotTellWhoIsOnline() {
    Result ping =
        new InProcessCli(home).run("ping", "bob", "-u", url().toString(), "--timeout", "60");
    assertThat(ping.exitCode()).as(ping.toString()).isEqualTo(1);
    assertThat(ping.stderr())
        .startsWith("error[old-server]: " + url() + " is an original agent-msg server")
        .contains("cannot tell whether bob is online")
        .doesNotContain("\n");
  }

  @Test
  void sendOverTheWireReachesAConnectedAgentAndIsRefusedAtOnceForOthers() throws Exception {
    try (RawClient bob = new RawClient(url(), "bob")) {
      InProcessCli cli = new InProcessCli(home);
      Result sent =
          cli.run("send", "-w", "bob", "over the old wire", "-s", "alice", "-u", url().toString());
      assertThat(sent.exitCode()).as(sent.toString()).isZero();
      assertThat(sent.stdout()).matches("Message \\S+ delivered to bob");
      JsonNode pushed = bob.next();
      assertThat(pushed.path("type").asText()).isEqualTo("message");
      assertThat(pushed.path("from").asText()).isEqualTo("alice");
      assertThat(pushed.path("message").asText()).isEqualTo("over the old wire");

      Result refused =
          cli.run("send", "-w", "carol", "nobody home", "-s", "alice", "-u", url().toString());
      assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
      assertThat(refused.stderr())
          .startsWith("error[not-connected]: 'carol' is not connected to the server")
          .doesNotContain("\n");
    }
  }

  @Test
  void connectRegistersTheOriginalWayAndPrintsWhatIsPushed() throws Exception {
    try (ChildJvm connect =
        ChildJvm.cli(
            home,
            Map.of("AGENT_MSG_STORE_HOST", "off"),
            "connect",
            "-a",
            "bob",
            "-u",
            url().toString())) {
      awaitRegistered("bob");
      try (RawClient alice = new RawClient(url(), "alice")) {
        alice.send("bob", "from an original client");
        assertThat(alice.next().path("type").asText()).isEqualTo("delivered");
        String header = connect.nextLine(30);
        assertThat(header).as(connect.stderrSoFar()).contains("from alice");
        assertThat(connect.nextLine(30)).isEqualTo("from an original client");
        assertThat(connect.stderrSoFar())
            .contains("Connected to " + url() + " as bob (an original agent-msg server");
      }
    }
  }

  /** A client of the original protocol, on the JDK's WebSocket client. */
  static final class RawClient implements WebSocket.Listener, AutoCloseable {
    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket socket;
    private final String agent;

    RawClient(URI url, String agent) throws Exception {
      this.agent = agent;
      this.socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(url, this)
              .get(10, TimeUnit.SECONDS);
      socket
          .sendText("{\"type\":\"register\",\"agent\":\"" + agent + "\"}", true)
          .get(10, TimeUnit.SECONDS);
      JsonNode registered = next();
      assertThat(registered.path("type").asText()).isEqualTo("registered");
    }

    void send(String to, String body) throws Exception {
      socket
          .sendText(
              JSON.createObjectNode()
                  .put("type", "message")
                  .put("id", "raw" + System.nanoTime())
                  .put("from", agent)
                  .put("to", to)
                  .put("message", body)
                  .put("timestamp", java.time.Instant.now().toString())
                  .toString(),
              true)
          .get(10, TimeUnit.SECONDS);
    }

    JsonNode next() throws InterruptedException {
      JsonNode frame = frames.poll(30, TimeUnit.SECONDS);
      assertThat(frame).as("a frame within 30 s").isNotNull();
      return frame;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          frames.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public void close() {
      socket.abort();
    }
  }
}
