package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.ChildJvm;
import agentmsg.testing.InProcessCli;
import agentmsg.testing.PostgresServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code agent-msg server --db} processes on one real PostgreSQL database, each in its own JVM
 * with its own data home (as on two machines): a message stored by one reaches a receiver on the
 * other at once, acks and {@code delivered} cross too, an agent has one receiving connection across
 * both, a resend to the other server is stored once, a revoked token is refused by both, and a
 * receiver whose server is killed -9 resumes on the other with nothing lost or pushed twice.
 */
class PostgresClusterIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  @TempDir Path homeA;
  @TempDir Path homeB;
  @TempDir Path homeClients;

  private String db;
  private final List<ChildJvm> children = new ArrayList<>();

  @BeforeEach
  void database() {
    db = PostgresServer.shared().newDatabase();
  }

  @AfterEach
  void stopChildren() throws InterruptedException {
    for (ChildJvm child : children) {
      child.kill9();
    }
  }

  private URI server(Path home, String... extra) throws InterruptedException {
    List<String> args = new ArrayList<>(List.of("server", "-p", "0", "-q", "--db", db));
    args.addAll(List.of(extra));
    ChildJvm server = ChildJvm.cli(home, Map.of(), args.toArray(String[]::new));
    children.add(server);
    return server.serverUrl();
  }

  private ChildJvm serverProcess(Path home) {
    ChildJvm server =
        ChildJvm.cli(home, Map.of(), "server", "-p", "0", "-q", "--no-auth", "--db", db);
    children.add(server);
    return server;
  }

  @Test
  void aMessageStoredByOneServerIsPushedByTheOtherAndItsAckCrossesBack() throws Exception {
    URI a = serverProcess(homeA).serverUrl();
    URI b = serverProcess(homeB).serverUrl();
    try (TestSocket alice = TestSocket.hello(CLIENT.get(), a, "alice", "receive");
        TestSocket bob = TestSocket.hello(CLIENT.get(), b, "bob", "send-only")) {
      bob.sendMessage("c-1", "alice", "across servers");
      JsonNode stored = bob.next("stored");
      String id = stored.path("id").asText();
      JsonNode pushed = alice.nextOf("message");
      assertThat(pushed.path("id").asText()).isEqualTo(id);
      assertThat(pushed.path("message").asText()).isEqualTo("across servers");
      alice.ack(id);
      JsonNode delivered = bob.nextOf("delivered");
      assertThat(delivered.path("id").asText()).isEqualTo(id);
      assertThat(delivered.path("to").asText()).isEqualTo("alice");
    }
  }

  @Test
  void serversRideOutACrashAndRestartOfTheirDatabaseAndStoreWhatWasSentMeanwhile()
      throws Exception {
    try (PostgresServer own = PostgresServer.start()) {
      db = own.newDatabase();
      URI a = serverProcess(homeA).serverUrl();
      URI b = serverProcess(homeB).serverUrl();
      try (TestSocket alice = TestSocket.hello(CLIENT.get(), a, "alice", "receive");
          TestSocket bob = TestSocket.hello(CLIENT.get(), b, "bob", "send-only")) {
        bob.sendMessage("before", "alice", "before the crash");
        bob.nextOf("stored");
        String before = alice.nextOf("message").path("id").asText();
        alice.ack(before);
        assertThat(bob.nextOf("delivered").path("id").asText()).isEqualTo(before);
        own.kill9();
        bob.sendMessage("during", "alice", "sent while the database is down");
        own.restart();
        // B retries the store until the database is back; A's listener reconnects and reads.
        String id = bob.nextOf("stored").path("id").asText();
        JsonNode pushed = alice.nextOf("message");
        assertThat(pushed.path("id").asText()).isEqualTo(id);
        assertThat(pushed.path("message").asText()).isEqualTo("sent while the database is down");
        alice.ack(id);
        assertThat(bob.nextOf("delivered").path("id").asText()).isEqualTo(id);
      }
    }
  }

  @Test
  void aServerOnADatabaseThatIsNotThereFailsAtOnceWithOneLine() throws Exception {
    int port;
    try (java.net.ServerSocket free =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    db = "jdbc:postgresql://127.0.0.1:" + port + "/agentmsg?user=agentmsg";
    ChildJvm server = serverProcess(homeA);
    // Retried, it would wait for the store timeout (60 s) and then say "stayed busy".
    ChildJvm.Result result = server.awaitExit(30);
    assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
    assertThat(result.stderr().strip())
        .startsWith("error[store-unavailable]: cannot connect to the database " + db)
        .doesNotContain("warning");
  }

  @Test
  void aFanOutStoredByOneServerReachesReceiversOnEveryServer() throws Exception {
    URI a = serverProcess(homeA).serverUrl();
    URI b = serverProcess(homeB).serverUrl();
    try (TestSocket alice = TestSocket.hello(CLIENT.get(), a, "alice", "receive");
        TestSocket carol = TestSocket.hello(CLIENT.get(), b, "carol", "receive");
        TestSocket bob = TestSocket.hello(CLIENT.get(), b, "bob", "send-only")) {
      bob.sendMessage("all-1", "@all", "to everyone");
      bob.nextOf("stored");
      for (TestSocket receiver : List.of(alice, carol)) {
        JsonNode pushed = receiver.nextOf("message");
        assertThat(pushed.path("message").asText()).isEqualTo("to everyone");
        assertThat(pushed.path("from").asText()).isEqualTo("bob");
        receiver.ack(pushed.path("id").asText());
      }
      List<String> deliveredTo = new ArrayList<>();
      deliveredTo.add(bob.nextOf("delivered").path("to").asText());
      deliveredTo.add(bob.nextOf("delivered").path("to").asText());
      assertThat(deliveredTo).containsExactlyInAnyOrder("alice", "carol");
    }
  }

  @Test
  void theCliSendsThroughOneServerAndWaitsForTheAckOfAReceiverOnTheOther() throws Exception {
    URI a = serverProcess(homeA).serverUrl();
    URI b = serverProcess(homeB).serverUrl();
    ChildJvm alice =
        ChildJvm.cli(homeClients, Map.of(), "connect", "-a", "alice", "-u", a + "," + b);
    children.add(alice);
    alice.awaitStderr("Connected to " + a + " as alice");
    ChildJvm.Result sent =
        new InProcessCli(homeClients)
            .run(
                "send",
                "alice",
                "hi from B",
                "-s",
                "bob",
                "-w",
                "--wait",
                "20",
                "-u",
                b.toString());
    assertThat(sent.exitCode()).as(sent.toString()).isZero();
    assertThat(sent.stdout()).endsWith("delivered to alice");
    assertThat(alice.nextNonBlankLine(30)).contains("from bob");
    assertThat(alice.nextNonBlankLine(30)).isEqualTo("hi from B");

    ChildJvm.Result ping =
        new InProcessCli(homeClients).run("ping", "alice", "-s", "bob", "-u", b.toString());
    assertThat(ping.exitCode()).as("ping answered by the other server: %s", ping).isZero();
    assertThat(ping.stdout()).startsWith("alice is online");
  }

  @Test
  void anAgentHasOneReceivingConnectionAcrossServers() throws Exception {
    URI a = serverProcess(homeA).serverUrl();
    URI b = serverProcess(homeB).serverUrl();
    try (TestSocket first = TestSocket.connect(CLIENT.get(), a)) {
      first.send(
          "{\"type\":\"hello\",\"agent\":\"alice\",\"role\":\"receive\",\"instance\":\"i1\"}");
      first.next("welcome");
      try (TestSocket second = TestSocket.connect(CLIENT.get(), b)) {
        second.send(
            "{\"type\":\"hello\",\"agent\":\"alice\",\"role\":\"receive\",\"instance\":\"i2\"}");
        JsonNode refused = second.nextOf("error");
        assertThat(refused.path("code").asText()).isEqualTo("already-connected");
      }
      try (TestSocket taker = TestSocket.connect(CLIENT.get(), b)) {
        taker.send(
            "{\"type\":\"hello\",\"agent\":\"alice\",\"role\":\"receive\",\"instance\":\"i3\","
                + "\"takeover\":true}");
        taker.next("welcome");
        JsonNode taken = first.nextOf("error");
        assertThat(taken.path("code").asText()).isEqualTo("taken-over");
        first.awaitClose();
      }
    }
  }

  @Test
  void aResendToTheOtherServerIsStoredOnce() throws Exception {
    URI a = serverProcess(homeA).serverUrl();
    URI b = serverProcess(homeB).serverUrl();
    try (TestSocket carol = TestSocket.hello(CLIENT.get(), b, "carol", "receive")) {
      assertThat(carol.poll(0)).as("registered once welcomed").isNull();
    }
    String firstId;
    try (TestSocket bob = TestSocket.hello(CLIENT.get(), a, "bob", "send-only")) {
      bob.sendMessage("resend-1", "carol", "once only");
      firstId = bob.next("stored").path("id").asText();
    }
    try (TestSocket bob = TestSocket.hello(CLIENT.get(), b, "bob", "send-only")) {
      bob.sendMessage("resend-1", "carol", "once only");
      assertThat(bob.next("stored").path("id").asText()).isEqualTo(firstId);
    }
    try (TestSocket carol = TestSocket.hello(CLIENT.get(), b, "carol", "receive")) {
      JsonNode pushed = carol.nextOf("message");
      assertThat(pushed.path("id").asText()).isEqualTo(firstId);
      carol.ack(firstId);
      assertThat(carol.poll(500)).as("one copy only").isNull();
    }
  }

  @Test
  void tokensIssuedOnTheDatabaseWorkOnEveryServerAndARevocationOnEvery() throws Exception {
    InProcessCli admin = new InProcessCli(homeClients);
    ChildJvm.Result registered = admin.run("register", "alice", "--db", db);
    assertThat(registered.exitCode()).as(registered.toString()).isZero();
    URI a = server(homeA);
    URI b = server(homeB);
    String token =
        agentmsg.internal.security.TokenFiles.read(
                agentmsg.internal.security.TokenFiles.file(homeClients, "alice"), warning -> {})
            .orElseThrow();
    for (URI server : List.of(a, b)) {
      try (TestSocket alice =
          TestSocket.connect(CLIENT.get(), server, Map.of("Authorization", "Bearer " + token))) {
        alice.send("{\"type\":\"hello\",\"agent\":\"alice\",\"role\":\"send-only\"}");
        alice.next("welcome");
      }
    }
    ChildJvm.Result rotated = admin.run("token", "rotate", "alice", "--db", db);
    assertThat(rotated.exitCode()).as(rotated.toString()).isZero();
    for (URI server : List.of(a, b)) {
      assertThat(HttpUpgrade.send(server, Map.of("Authorization", "Bearer " + token)).status())
          .as("the old token on %s", server)
          .isEqualTo(401);
    }
    ChildJvm.Result listed = admin.run("list", "--db", db);
    assertThat(listed.stdout()).contains("alice");
  }

  @Test
  void aReceiverWhoseServerIsKilledResumesOnTheOtherWithNothingLostOrPushedTwice()
      throws Exception {
    ChildJvm serverA = serverProcess(homeA);
    URI a = serverA.serverUrl();
    URI b = serverProcess(homeB).serverUrl();
    ChildJvm alice =
        ChildJvm.cli(homeClients, Map.of(), "connect", "-a", "alice", "--json", "-u", a + "," + b);
    children.add(alice);
    alice.awaitStderr("Connected to " + a + " as alice");
    InProcessCli bob = new InProcessCli(homeClients);
    ChildJvm.Result before =
        bob.run("send", "alice", "before", "-s", "bob", "-w", "--wait", "20", "-u", b.toString());
    assertThat(before.exitCode()).as(before.toString()).isZero();
    assertThat(alice.nextNonBlankLine(30)).contains("\"before\"");

    serverA.kill9();
    long killed = System.nanoTime();
    ChildJvm.Result after =
        bob.run("send", "alice", "after", "-s", "bob", "-w", "--wait", "20", "-u", b.toString());
    assertThat(after.exitCode()).as(after.toString()).isZero();
    assertThat(alice.nextNonBlankLine(30)).contains("\"after\"");
    long millis = (System.nanoTime() - killed) / 1_000_000;
    assertThat(alice.stderrSoFar()).contains("Connected to " + b + " as alice");
    assertThat(alice.nextLine(1)).as("nothing pushed twice (%d ms to resume)", millis).isNull();
  }

  @Test
  void aServerKilledDuringAStreamLosesNothingAndTheReceiverSeesEachMessageOnce() throws Exception {
    ChildJvm serverA = serverProcess(homeA);
    URI a = serverA.serverUrl();
    URI b = serverProcess(homeB).serverUrl();
    ChildJvm alice =
        ChildJvm.cli(homeClients, Map.of(), "connect", "-a", "alice", "--json", "-u", a + "," + b);
    children.add(alice);
    alice.awaitStderr("Connected to " + a + " as alice");
    int count = 300;
    List<String> ids = new ArrayList<>();
    try (TestSocket bob = TestSocket.hello(CLIENT.get(), b, "bob", "send-only")) {
      for (int i = 0; i < count; i++) {
        bob.sendMessage("s-" + i, "alice", "stream " + i);
        if (i == count / 2) {
          serverA.kill9(); // mid-stream: some pushed and acked, some pushed and not, some not yet
        }
      }
      for (int i = 0; i < count; i++) {
        ids.add(bob.nextOf("stored").path("id").asText());
      }
    }
    List<String> seen = new ArrayList<>();
    while (seen.size() < count) {
      String line = alice.nextLine(30);
      assertThat(line)
          .as("line %d of %d; stderr: %s", seen.size() + 1, count, alice.stderrSoFar())
          .isNotNull();
      if (!line.isBlank()) {
        seen.add(JSON.readTree(line).path("id").asText());
      }
    }
    assertThat(alice.nextLine(2)).as("nothing pushed twice").isNull();
    assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
}
