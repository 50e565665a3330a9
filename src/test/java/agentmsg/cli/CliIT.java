package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.ChildJvm;
import agentmsg.testing.ChildJvm.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI across real processes: each command runs in its own JVM, as agents run it. */
class CliIT {
  @TempDir Path home;

  @Test
  void twoAgentsRoundTripAcrossProcesses() {
    assertThat(ChildJvm.run(home, "register", "alice", "-t", "claude-code").exitCode()).isZero();
    assertThat(ChildJvm.run(home, "register", "bob", "-t", "codex").exitCode()).isZero();
    Result sent = ChildJvm.run(home, "send", "bob", "can you run the tests?", "-s", "alice");
    assertThat(sent.exitCode()).as(sent.toString()).isZero();
    Result inbox = ChildJvm.run(home, "inbox", "bob");
    assertThat(inbox.stdout()).contains("from alice", "can you run the tests?");
    Result reply =
        ChildJvm.runWithInput(home, "all green\n212 tests", "send", "alice", "-", "-s", "bob");
    assertThat(reply.exitCode()).isZero();
    assertThat(ChildJvm.run(home, "inbox", "alice").stdout()).contains("all green\n212 tests");
    assertThat(ChildJvm.run(home, "inbox", "bob", "--all").stdout()).contains(", read):");
  }

  @Test
  void pollPrintsEachMessageAsItLandsAndStopsCleanlyOnSigterm() throws Exception {
    register("alice", "bob");
    ChildJvm.run(home, "send", "bob", "waiting before poll", "-s", "alice");
    try (ChildJvm poll = ChildJvm.cli(home, Map.of(), "poll", "bob", "--json")) {
      assertThat(poll.nextLine(30)).contains("\"message\":\"waiting before poll\"");
      for (int i = 0; i < 3; i++) {
        assertThat(ChildJvm.run(home, "send", "bob", "live " + i, "-s", "alice").exitCode())
            .isZero();
        assertThat(poll.nextLine(30)).contains("\"message\":\"live " + i + "\"");
      }
      Result stopped = poll.terminate(30);
      assertThat(stopped.stderr()).doesNotContain("Exception");
    }
    assertThat(ChildJvm.run(home, "inbox", "bob").stdout()).isEqualTo("No new messages for bob.");
  }

  @Test
  void waitInOneProcessWakesOnASendFromAnother() throws Exception {
    register("alice", "bob");
    try (ChildJvm waiting =
        ChildJvm.cli(home, Map.of(), "wait", "bob", "--timeout", "60", "--json")) {
      // The waiter registers its watch before its first check; a send at any moment is seen.
      assertThat(ChildJvm.run(home, "send", "bob", "your turn", "-s", "alice").exitCode()).isZero();
      Result woke = waiting.awaitExit(60);
      assertThat(woke.exitCode()).as(woke.toString()).isZero();
      assertThat(woke.stdout()).contains("\"message\":\"your turn\"");
    }
  }

  @Test
  void concurrentSendersAndAPollerDeliverEveryMessageExactlyOnce() throws Exception {
    register("bob", "s0", "s1", "s2", "s3");
    int perSender = 3;
    try (ChildJvm poll = ChildJvm.cli(home, Map.of(), "poll", "bob", "--json")) {
      List<ChildJvm> senders = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        for (int i = 0; i < perSender; i++) {
          senders.add(
              ChildJvm.cli(home, Map.of(), "send", "bob", "s" + s + " #" + i, "-s", "s" + s));
        }
      }
      for (ChildJvm sender : senders) {
        Result result = sender.awaitExit(120);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        sender.close();
      }
      Set<String> bodies = new HashSet<>();
      while (bodies.size() < 4 * perSender) {
        String line = poll.nextLine(30);
        assertThat(line).as("poll printed only %s", bodies).isNotNull();
        String body = line.replaceAll(".*\"message\":\"([^\"]*)\".*", "$1");
        assertThat(bodies.add(body)).as("printed twice: %s", body).isTrue();
      }
      poll.terminate(30);
      assertThat(poll.stdoutSoFar()).hasSize(4 * perSender);
    }
  }

  @Test
  void twentyConcurrentRegistrationsOnANewHomeAllLand() {
    List<ChildJvm> registrations = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      registrations.add(ChildJvm.cli(home, Map.of(), "register", "agent-" + i, "-t", "other"));
    }
    for (ChildJvm registration : registrations) {
      Result result = registration.awaitExit(180);
      assertThat(result.exitCode()).as(result.toString()).isZero();
      registration.close();
    }
    String list = ChildJvm.run(home, "list", "--json").stdout();
    assertThat(list.split("\n")).hasSize(20);
  }

  @Test
  void aFileMovedIntoAnInboxWithAnOldTimeIsImportedByTheNextCallExactlyOnce() throws Exception {
    register("alice", "bob");
    for (int i = 0; i < 3; i++) {
      assertThat(ChildJvm.run(home, "send", "bob", "sent " + i, "-s", "alice").exitCode()).isZero();
    }
    // Each call looks at the inbox first and leaves a mark for the next one.
    assertThat(ChildJvm.run(home, "history", "bob").stdout()).contains("sent 2");
    assertThat(ChildJvm.run(home, "history", "bob").stdout()).contains("sent 2");
    Path outside = Files.createDirectories(home.resolve("elsewhere")).resolve("legacy-1.json");
    Files.writeString(
        outside, "{\"id\":\"legacy-1\",\"from\":\"legacy-tool\",\"message\":\"moved in with mv\"}");
    Files.setLastModifiedTime(outside, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

    Files.move(outside, home.resolve("inbox/bob/legacy-1.json"), StandardCopyOption.ATOMIC_MOVE);

    assertThat(ChildJvm.run(home, "history", "bob").stdout()).contains("moved in with mv");
    String all = ChildJvm.run(home, "inbox", "bob", "--all", "--json").stdout();
    assertThat(all.split("\n")).hasSize(4).filteredOn(line -> line.contains("legacy-1")).hasSize(1);
  }

  private void register(String... agents) {
    for (String agent : agents) {
      Result result = ChildJvm.run(home, "register", agent);
      assertThat(result.exitCode()).as(result.toString()).isZero();
    }
  }
}
