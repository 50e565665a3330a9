package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.BrokenServer;
import agentmsg.testing.ChildJvm;
import agentmsg.testing.InProcessCli;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -u} with several servers: the clients try them in order, skip one that is down, and move
 * on to the next when the one they talk to dies (here killed -9, in its own JVM).
 */
class FailoverIT {
  @TempDir Path homeA;
  @TempDir Path homeB;

  private AgentMsgServer startB() {
    return AgentMsgServer.start(
        ServerOptions.builder()
            .home(homeB)
            .port(0)
            .noAuth()
            .log(new PrintStream(OutputStream.nullOutputStream()))
            .build());
  }

  @Test
  void aReceiverMovesToTheNextServerWhenItsServerIsKilled() throws Exception {
    AgentMsgServer b = startB();
    try (ChildJvm serverA = ChildJvm.cli(homeA, Map.of(), "server", "-p", "0", "-q", "--no-auth")) {
      URI a = serverA.serverUrl();
      try (ChildJvm alice =
          ChildJvm.cli(homeA, Map.of(), "connect", "-a", "alice", "-u", a + "," + b.uri())) {
        alice.awaitStderr("Connected to " + a + " as alice");
        serverA.kill9();
        alice.awaitStderr("Connected to " + b.uri() + " as alice");

        ChildJvm.Result sent =
            new InProcessCli(homeB)
                .run(
                    "send",
                    "alice",
                    "after the fail-over",
                    "-s",
                    "bob",
                    "-w",
                    "--wait",
                    "20",
                    "-u",
                    b.uri().toString());
        assertThat(sent.exitCode()).as(sent.toString()).isZero();
        assertThat(sent.stdout()).endsWith("delivered to alice");
        assertThat(alice.nextNonBlankLine(30)).contains("from bob");
        assertThat(alice.nextNonBlankLine(30)).isEqualTo("after the fail-over");
      }
    } finally {
      b.stop();
    }
  }

  @Test
  void sendAndPingSkipAServerThatIsDown() throws Exception {
    AgentMsgServer b = startB();
    String dead = "ws://127.0.0.1:" + BrokenServer.freePort();
    String urls = dead + "," + b.uri();
    try {
      InProcessCli cli = new InProcessCli(homeB);
      ChildJvm.Result registered = cli.run("register", "carol");
      assertThat(registered.exitCode()).as(registered.toString()).isZero();
      ChildJvm.Result sent = cli.run("send", "carol", "hello", "-s", "bob", "-w", "-u", urls);
      assertThat(sent.exitCode()).as(sent.toString()).isZero();
      assertThat(sent.stdout()).endsWith("stored for carol");
      ChildJvm.Result ping = cli.run("ping", "carol", "-s", "bob", "-u", urls);
      assertThat(ping.exitCode()).as(ping.toString()).isEqualTo(1);
      assertThat(ping.stdout()).startsWith("carol is offline");
      ChildJvm.Result allDown = cli.run("ping", "carol", "-s", "bob", "-u", dead + "," + dead);
      assertThat(allDown.exitCode()).isEqualTo(1);
      assertThat(allDown.stderr()).startsWith("error[server-unavailable]: cannot connect to ");
      ChildJvm.Result empty = cli.run("ping", "carol", "-u", b.uri() + ",,");
      assertThat(empty.exitCode()).isEqualTo(2);
      assertThat(empty.stderr()).contains("separate them with single commas");
    } finally {
      b.stop();
    }
  }
}
