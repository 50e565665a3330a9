package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.BrokenServer;
import agentmsg.testing.BrokenServer.Behaviour;
import agentmsg.testing.ChildJvm;
import agentmsg.testing.InProcessCli;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every way a connection to a server can fail gives one line in the product's words with its stable
 * code, never a WebSocket library's object or exception name: refused, reset, closed before the
 * upgrade, gone after it, TLS to a plain port, 401, and the server stopping while a client waits.
 */
class ClientErrorsIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();
  @RegisterExtension final RunningServer running = new RunningServer(CLIENT);

  /** What no error line may show: Jetty's abbreviated class names, object ids, exception names. */
  private static final String INTERNALS = "(?s).*(oej|@[0-9a-f]{4,}|Exception|Session Closed).*";

  private InProcessCli cli() {
    return new InProcessCli(running.home());
  }

  private static void assertOneCleanLine(ChildJvm.Result result, int exitCode, String start) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
    assertThat(result.stderr()).as("one line").doesNotContain("\n").startsWith(start);
    assertThat(result.stderr()).as("in the product's words").doesNotMatch(INTERNALS);
  }

  private static List<String[]> commands(String url) {
    return List.of(
        new String[] {"send", "alice", "hi", "-s", "bob", "-w", "-u", url},
        new String[] {"send", "alice", "hi", "-s", "bob", "-w", "--wait", "5", "-u", url},
        new String[] {"ping", "alice", "-s", "bob", "--timeout", "5", "-u", url},
        new String[] {"connect", "-a", "bob", "-u", url});
  }

  @Test
  void aRefusedConnectionSaysSoAndHowToStartAServer() throws Exception {
    String url = "ws://127.0.0.1:" + BrokenServer.freePort();
    for (String[] command : commands(url)) {
      assertOneCleanLine(
          cli().run(command),
          1,
          "error[server-unavailable]: cannot connect to "
              + url
              + ": connection refused (start one with: agent-msg server)");
    }
  }

  @Test
  void aServerThatResetsOrClosesBeforeTheUpgradeIsNamedWithoutJettyObjects() throws Exception {
    for (Behaviour behaviour :
        List.of(Behaviour.RESET_BEFORE_UPGRADE, Behaviour.CLOSE_BEFORE_UPGRADE)) {
      try (BrokenServer broken = BrokenServer.start(behaviour)) {
        String url = broken.uri().toString();
        for (String[] command : commands(url)) {
          ChildJvm.Result result = cli().run(command);
          assertOneCleanLine(
              result, 1, "error[server-unavailable]: cannot connect to " + url + ": ");
          assertThat(result.stderr())
              .as(behaviour.name())
              .containsAnyOf(
                  "the connection was reset",
                  "the server closed the connection before answering the upgrade");
        }
      }
    }
  }

  @Test
  void aServerGoneAfterTheUpgradeIsALostConnection() throws Exception {
    for (Behaviour behaviour :
        List.of(Behaviour.DROP_AFTER_FIRST_FRAME, Behaviour.RESET_AFTER_FIRST_FRAME)) {
      try (BrokenServer broken = BrokenServer.start(behaviour)) {
        String url = broken.uri().toString();
        assertOneCleanLine(
            cli().run("ping", "alice", "-s", "bob", "--timeout", "5", "-u", url),
            1,
            "error[connection-lost]: the connection was lost (1006, no close from the server)"
                + " before the server's welcome");
        ChildJvm.Result send = cli().run("send", "alice", "hi", "-s", "bob", "-w", "-u", url);
        assertOneCleanLine(send, 1, "error[connection-lost]: the connection to " + url);
        assertThat(send.stderr()).contains("the message may not be stored (resend with --id ");
        assertOneCleanLine(
            cli().run("send", "alice", "hi", "-s", "bob", "-w", "--wait", "5", "-u", url),
            1,
            "error[connection-lost]: the connection to " + url);
      }
    }
  }

  @Test
  void tlsToAPlainPortSaysTheServerDoesNotSpeakTls() {
    String url = running.server().uri().toString().replace("ws://", "wss://");
    for (String[] command : commands(url)) {
      assertOneCleanLine(
          cli().run(command),
          1,
          "error[tls-failed]: TLS handshake with "
              + url
              + " failed: the server did not answer in TLS");
    }
  }

  @Test
  void aRefusedTokenIs401InOneLine() {
    String url = running.server().uri().toString();
    for (String[] command : commands(url)) {
      String[] withBadToken = java.util.Arrays.copyOf(command, command.length + 2);
      withBadToken[command.length] = "--header";
      withBadToken[command.length + 1] = "x-agent-token: amsg_wrong";
      assertOneCleanLine(
          cli().run(withBadToken),
          1,
          "error[unauthorized]: " + url + " refused the connection (HTTP 401)");
    }
  }

  @Test
  void aServerStoppingWhileASendWaitsForDeliveryIsOneLine() throws Exception {
    LogWatch log = new LogWatch();
    running.server().stop();
    AgentMsgServer server =
        AgentMsgServer.start(
            ServerOptions.builder().home(running.home()).port(0).log(log.stream()).build());
    String url = server.uri().toString();
    CompletableFuture<ChildJvm.Result> waiting =
        CompletableFuture.supplyAsync(
            () -> cli().run("send", "alice", "hi", "-s", "bob", "-w", "--wait", "30", "-u", url));
    assertThat(log.await("connect bob", 30)).as("%s", log).isTrue();
    server.stop();
    ChildJvm.Result result = waiting.get(60, TimeUnit.SECONDS);
    assertThat(result.exitCode()).as(result.toString()).isIn(1, 3);
    assertThat(result.stderr()).doesNotContain("\n").startsWith("error[").doesNotMatch(INTERNALS);
  }
}
