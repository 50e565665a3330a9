package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.Options;
import agentmsg.testing.ChildJvm;
import agentmsg.testing.InProcessCli;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The server, connect, ping and send -w commands, with servers and clients in real JVMs. */
class ServerCliIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  @TempDir Path home;

  @BeforeEach
  void registerAgents() {
    for (String agent : List.of("alice", "bob", "carol")) {
      try (AgentMessenger messenger =
          AgentMessenger.open(Options.builder().home(home).agent(agent).build())) {
        messenger.register(AgentType.OTHER);
      }
    }
  }

  @Test
  void killNineOfTheServerLosesNothingStoredAndRedeliversWhatWasNotAcked() throws Exception {
    List<String> ids = new ArrayList<>();
    try (ChildJvm server = ChildJvm.server(home)) {
      URI url = server.serverUrl();
      try (TestSocket bob = TestSocket.hello(CLIENT.get(), url, home, "bob", "send-only");
          TestSocket alice = TestSocket.hello(CLIENT.get(), url, home, "alice", "receive")) {
        for (int i = 0; i < 20; i++) {
          bob.sendMessage("k-" + i, "alice", "m" + i);
        }
        while (ids.size() < 20) {
          JsonNode frame = bob.next();
          if (frame.path("type").asText().equals("stored")) {
            ids.add(frame.path("id").asText());
          }
        }
        for (int i = 0; i < 20; i++) {
          String id = alice.next("message").path("id").asText();
          assertThat(id).isEqualTo(ids.get(i));
          if (i < 10) {
            alice.ack(id);
          }
        }
        for (int delivered = 0; delivered < 10; ) {
          if (bob.next().path("type").asText().equals("delivered")) {
            delivered++;
          }
        }
        server.kill9();
        assertThat(alice.awaitClose()).isNotEqualTo(1000);
      }
    }

    try (ChildJvm server = ChildJvm.server(home);
        TestSocket alice =
            TestSocket.hello(CLIENT.get(), server.serverUrl(), home, "alice", "receive")) {
      List<String> redelivered = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        redelivered.add(alice.next("message").path("id").asText());
      }
      assertThat(redelivered).containsExactlyElementsOf(ids.subList(10, 20));
      terminate(server);
    }
    try (AgentMessenger reader =
        AgentMessenger.open(Options.builder().home(home).agent("alice").build())) {
      assertThat(reader.history(100)).extracting(Message::id).containsExactlyElementsOf(ids);
      assertThat(reader.unread())
          .extracting(Message::id)
          .containsExactlyElementsOf(ids.subList(10, 20));
    }
  }

  @Test
  void connectSendWaitAndPingWorkTogetherAndConnectSurvivesARestart() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    AgentMsgServer server = startInProcess(port);
    String url = server.uri().toString();
    InProcessCli cli = new InProcessCli(home);
    try (ChildJvm alice = ChildJvm.cli(home, Map.of(), "connect", "-a", "alice", "-u", url)) {
      alice.writeLine("bob hello bob, from alice's terminal");
      try (TestSocket bob = TestSocket.hello(CLIENT.get(), server, "bob", "receive")) {
        JsonNode fromStdin = bob.next("message");
        assertThat(fromStdin.path("from").asText()).isEqualTo("alice");
        assertThat(fromStdin.path("message").asText())
            .isEqualTo("hello bob, from alice's terminal");
        alice.writeLine("@all stand-up in 5");
        JsonNode copy = bob.next("message");
        assertThat(copy.path("message").asText()).isEqualTo("stand-up in 5");
        assertThat(copy.path("thread").asText()).isEqualTo(sharedIdOf(copy));
      }

      ChildJvm.Result sent =
          cli.run("send", "alice", "are you there?", "-s", "bob", "-w", "--wait", "-u", url);
      assertThat(sent.exitCode()).as(sent.toString()).isZero();
      assertThat(sent.stdout()).startsWith("Message ").endsWith(" delivered to alice");
      assertThat(alice.nextNonBlankLine(20)).startsWith("[").contains("from bob");
      assertThat(alice.nextNonBlankLine(20)).isEqualTo("are you there?");

      ChildJvm.Result online = cli.run("ping", "alice", "-u", url);
      assertThat(online.exitCode()).as(online.toString()).isZero();
      assertThat(online.stdout()).startsWith("alice is online");
      ChildJvm.Result offline = cli.run("ping", "carol", "-u", url);
      assertThat(offline.exitCode()).isEqualTo(1);
      assertThat(offline.stdout()).startsWith("carol is offline");

      ChildJvm.Result stored = cli.run("send", "carol", "later", "-s", "bob", "-w", "-u", url);
      assertThat(stored.exitCode()).as(stored.toString()).isZero();
      assertThat(stored.stdout()).endsWith("stored for carol");
      assertThat(stored.stderr())
          .startsWith("warning: carol: last seen ")
          .contains("nothing will wake it");
      ChildJvm.Result timedOut =
          cli.run("send", "-w", "--wait", "0.5", "carol", "still there?", "-s", "bob", "-u", url);
      assertThat(timedOut.exitCode()).as(timedOut.toString()).isEqualTo(3);
      // With --wait the outcome is the one line, and it says when carol will get it.
      assertThat(timedOut.stderr())
          .startsWith("error[timeout]: message ")
          .contains("is stored", "it is delivered when carol connects or reads its inbox")
          .doesNotContain("\n");
      ChildJvm.Result unknown = cli.run("send", "nobody", "hi", "-s", "bob", "-w", "-u", url);
      assertThat(unknown.exitCode()).isEqualTo(1);
      assertThat(unknown.stderr()).startsWith("error[unknown-agent]");

      server.stop();
      server = startInProcess(port);
      ChildJvm.Result afterRestart =
          cli.run("send", "alice", "after the restart", "-s", "bob", "-w", "--wait", "-u", url);
      assertThat(afterRestart.exitCode())
          .as("%s\nalice: %s", afterRestart, alice.stderrSoFar())
          .isZero();
      assertThat(alice.nextNonBlankLine(20)).contains("from bob");
      assertThat(alice.nextNonBlankLine(20)).isEqualTo("after the restart");

      ChildJvm.Result stopped = terminate(alice);
      assertThat(stopped.stderr()).contains("Connected to " + url + " as alice");
    } finally {
      server.stop();
    }
  }

  @Test
  void sendToAllThroughTheServerPrintsEachCopyAsFileModeDoesAndWaitsForEveryDelivery()
      throws Exception {
    AgentMsgServer server = startInProcess(0);
    String url = server.uri().toString();
    InProcessCli cli = new InProcessCli(home);
    try (AgentMessenger admin = AgentMessenger.open(Options.builder().home(home).build())) {
      admin.createGroup("team", List.of("alice", "bob", "carol"));
    }
    try (TestSocket bob = TestSocket.hello(CLIENT.get(), server, "bob", "receive");
        TestSocket carol = TestSocket.hello(CLIENT.get(), server, "carol", "receive");
        TestSocket aliceWatch = TestSocket.hello(CLIENT.get(), server, "alice", "send-only")) {
      CompletableFuture<ChildJvm.Result> waited =
          CompletableFuture.supplyAsync(
              () ->
                  cli.run(
                      "send", "-w", "@all", "standup at 10", "-s", "alice", "--wait", "-u", url));
      for (TestSocket recipient : List.of(bob, carol)) {
        JsonNode pushed = recipient.next("message");
        assertThat(pushed.path("thread").asText()).isEqualTo(sharedIdOf(pushed));
        recipient.ack(pushed.path("id").asText());
      }
      ChildJvm.Result sent = waited.get(30, TimeUnit.SECONDS);
      assertThat(sent.exitCode()).as(sent.toString()).isZero();
      List<String> lines = sent.stdout().lines().toList();
      assertThat(lines).hasSize(5);
      String shared = lines.get(2).split(" ")[4];
      assertThat(lines.subList(0, 3))
          .containsExactly(
              "Message " + shared + ".bob sent to bob",
              "Message " + shared + ".carol sent to carol",
              "2 copies in thread " + shared + " (see: agent-msg status " + shared + ")");
      assertThat(lines.subList(3, 5))
          .containsExactlyInAnyOrder(
              "Message " + shared + ".bob delivered to bob",
              "Message " + shared + ".carol delivered to carol");
      ChildJvm.Result fileMode = cli.run("send", "@all", "the same in file mode", "-s", "alice");
      assertThat(fileMode.stdout().lines().map(line -> line.replaceAll("[0-9A-Z]{26}", "ID")))
          .as("file mode prints the same lines")
          .containsExactlyElementsOf(
              lines.subList(0, 3).stream().map(line -> line.replace(shared, "ID")).toList());

      // --json: one object per copy, with the fields a file-mode send prints.
      ChildJvm.Result json =
          cli.run("send", "-w", "@team", "in json", "-s", "alice", "--json", "-u", url);
      ChildJvm.Result fileJson = cli.run("send", "@team", "in json", "-s", "alice", "--json");
      assertThat(json.exitCode()).as(json.toString()).isZero();
      List<JsonNode> copies = jsonLines(json.stdout());
      assertThat(copies)
          .extracting(copy -> copy.path("to").asText())
          .containsExactly("bob", "carol");
      assertThat(copies)
          .allSatisfy(copy -> assertThat(copy.path("from").asText()).isEqualTo("alice"));
      assertThat(copies.get(0).path("thread").asText())
          .isEqualTo(copies.get(1).path("thread").asText());
      assertThat(fieldNames(copies.get(0)))
          .isEqualTo(fieldNames(jsonLines(fileJson.stdout()).get(0)));

      // A copy not acknowledged in time is named; the one that was is reported delivered.
      ChildJvm.Result first =
          cli.run("send", "-w", "@team", "who is there?", "-s", "alice", "--id", "t-1", "-u", url);
      assertThat(first.exitCode()).as(first.toString()).isZero();
      String bobsCopy = first.stdout().lines().findFirst().orElseThrow().split(" ")[1];
      assertThat(bobsCopy).endsWith(".bob");
      bob.ack(bobsCopy);
      while (!aliceWatch.nextOf("delivered").path("id").asText().equals(bobsCopy)) {
        // the deliveries of the sends above
      }
      carol.close();
      ChildJvm.Result timedOut =
          cli.run(
              "send",
              "-w",
              "@team",
              "who is there?",
              "-s",
              "alice",
              "--id",
              "t-1",
              "--wait",
              "0.5",
              "-u",
              url);
      assertThat(timedOut.exitCode()).as(timedOut.toString()).isEqualTo(3);
      assertThat(timedOut.stdout())
          .isEqualTo(first.stdout() + "\nMessage " + bobsCopy + " delivered to bob");
      assertThat(timedOut.stderr())
          .matches(
              "(?s)warning: 1 awake, 1 with nothing to wake them \\(carol: last seen [^;]+\\);"
                  + " they will see this on their next inbox\nerror\\[timeout]: the copies of .*")
          .contains("carol (")
          .doesNotContain("bob (");

      ChildJvm.Result unknown = cli.run("send", "-w", "@nogroup", "hi", "-s", "alice", "-u", url);
      assertThat(unknown.exitCode()).isEqualTo(1);
      assertThat(unknown.stderr()).startsWith("error[unknown-group]");
    } finally {
      server.stop();
    }
  }

  private static String sharedIdOf(JsonNode pushed) {
    String id = pushed.path("id").asText();
    return id.substring(0, id.length() - pushed.path("to").asText().length() - 1);
  }

  private static List<JsonNode> jsonLines(String text) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : text.lines().toList()) {
      nodes.add(mapper.readTree(line));
    }
    return nodes;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void connectJsonPrintsWhatASendThroughTheServerCarries() throws Exception {
    AgentMsgServer server = startInProcess(0);
    String url = server.uri().toString();
    InProcessCli cli = new InProcessCli(home);
    try (ChildJvm alice =
        ChildJvm.cli(home, Map.of(), "connect", "-a", "alice", "-u", url, "--json")) {
      ChildJvm.Result sent =
          cli.run(
              "send",
              "alice",
              "the build is red",
              "-s",
              "bob",
              "-w",
              "--wait",
              "-u",
              url,
              "--subject",
              "CI",
              "--priority",
              "urgent",
              "--thread",
              "t-ci",
              "--ack-required");
      assertThat(sent.exitCode()).as(sent.toString()).isZero();
      JsonNode printed = new ObjectMapper().readTree(alice.nextNonBlankLine(20));
      assertThat(printed.path("message").asText()).isEqualTo("the build is red");
      assertThat(printed.path("subject").asText()).isEqualTo("CI");
      assertThat(printed.path("priority").asText()).isEqualTo("urgent");
      assertThat(printed.path("thread").asText()).isEqualTo("t-ci");
      terminate(alice);
    } finally {
      server.stop();
    }
    try (AgentMessenger bob =
        AgentMessenger.open(Options.builder().home(home).agent("bob").build())) {
      assertThat(bob.pendingAcks()).extracting(Message::body).containsExactly("the build is red");
    }
  }

  @Test
  void serverCommandFailsClearlyOnBadSettings() throws Exception {
    InProcessCli cli = new InProcessCli(home);
    try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      ChildJvm.Result inUse = cli.run("server", "-p", Integer.toString(busy.getLocalPort()));
      assertThat(inUse.exitCode()).isEqualTo(1);
      assertThat(inUse.stderr()).startsWith("error[port-in-use]").doesNotContain("\tat ");
    }
    ChildJvm.Result badPort = cli.run("server", "-p", "70000");
    assertThat(badPort.exitCode()).isEqualTo(2);
    assertThat(badPort.stderr()).startsWith("error[usage]: --port must be between 0 and 65535");
    ChildJvm.Result remote = cli.run("server", "--host", "0.0.0.0");
    assertThat(remote.exitCode()).isEqualTo(2);
    assertThat(remote.stderr()).startsWith("error[insecure-host]");
    ChildJvm.Result noServer =
        cli.run("send", "alice", "hi", "-s", "bob", "-w", "-u", "ws://127.0.0.1:1");
    assertThat(noServer.exitCode()).isEqualTo(1);
    assertThat(noServer.stderr()).startsWith("error[server-unavailable]");
    ChildJvm.Result waitWithoutServer = cli.run("send", "alice", "hi", "--wait");
    assertThat(waitWithoutServer.exitCode()).isEqualTo(2);
    assertThat(waitWithoutServer.stderr()).contains("--wait needs -w");
  }

  /** SIGTERM without closing the child's streams first, so that all its output is read. */
  private static ChildJvm.Result terminate(ChildJvm child) {
    ProcessHandle.of(child.pid()).ifPresent(ProcessHandle::destroy);
    return child.awaitExit(30);
  }

  private AgentMsgServer startInProcess(int port) {
    return AgentMsgServer.start(
        ServerOptions.builder()
            .home(home)
            .port(port)
            .log(new PrintStream(OutputStream.nullOutputStream()))
            .build());
  }
}
