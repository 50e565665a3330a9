package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import agentmsg.Options;
import agentmsg.testing.ChildJvm;
import agentmsg.testing.ChildJvm.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the process that owns the database while other processes are writing: no message that
 * was acknowledged is lost, none is stored twice, and no process is left failing.
 */
class CrashIT {
  private static final int SENDERS = 3;
  private static final int PER_SENDER = 150;

  @TempDir Path home;

  @Test
  void killNineOfTheDatabaseOwnerLosesNoAcknowledgedMessage() throws Exception {
    for (String agent : List.of("bob", "w0", "w1", "w2")) {
      assertThat(ChildJvm.run(home, "register", agent).exitCode()).isZero();
    }
    ChildJvm owner = ChildJvm.cli(home, Map.of(), "poll", "bob", "--json");
    List<ChildJvm> senders = new ArrayList<>();
    try {
      // The poller opened the database first: it owns the file; the senders reach it over TCP.
      assertThat(owner.stderrSoFar()).doesNotContain("error");
      for (int s = 0; s < SENDERS; s++) {
        senders.add(
            ChildJvm.start(
                "agentmsg.testing.SendLoop",
                home,
                Map.of(),
                "w" + s,
                "bob",
                Integer.toString(PER_SENDER)));
      }
      // Let every sender get messages acknowledged through the owner, then kill it mid-stream.
      for (ChildJvm sender : senders) {
        assertThat(sender.nextLine(60)).as(sender.stderrSoFar()).startsWith("ACK ");
      }
      assertThat(owner.nextLine(60)).isNotNull();
      owner.kill9();

      Set<String> acknowledged = new HashSet<>();
      for (ChildJvm sender : senders) {
        Result result = sender.awaitExit(180);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).endsWith("DONE");
        for (String line : result.stdout().split("\n")) {
          if (line.startsWith("ACK ")) {
            assertThat(acknowledged.add(line.substring(4))).isTrue();
          }
        }
      }
      assertThat(acknowledged).hasSize(SENDERS * PER_SENDER);

      try (AgentMessenger bob =
          AgentMessenger.open(Options.builder().home(home).agent("bob").build())) {
        List<Message> stored = bob.history(Integer.MAX_VALUE);
        Set<String> storedIds = new HashSet<>();
        for (Message message : stored) {
          storedIds.add(message.id());
        }
        assertThat(stored).hasSize(SENDERS * PER_SENDER);
        assertThat(storedIds).isEqualTo(acknowledged);
        // Each sender's messages are stored in the order it sent them.
        for (int s = 0; s < SENDERS; s++) {
          String prefix = "w" + s + " #";
          List<Integer> order =
              stored.stream()
                  .filter(m -> m.body().startsWith(prefix))
                  .map(m -> Integer.parseInt(m.body().substring(prefix.length())))
                  .toList();
          assertThat(order).isSorted();
        }
      }

      // A new poller takes over and prints every message the killed one had not marked read.
      Set<String> printedBefore = new HashSet<>(owner.stdoutSoFar());
      try (ChildJvm poll = ChildJvm.cli(home, Map.of(), "inbox", "bob", "--json")) {
        Result rest = poll.awaitExit(60);
        assertThat(rest.exitCode()).as(rest.toString()).isZero();
        Set<String> seen = new HashSet<>();
        for (String line : printedBefore) {
          seen.add(line.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1"));
        }
        for (String line : rest.stdout().split("\n")) {
          if (!line.isBlank()) {
            seen.add(line.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1"));
          }
        }
        assertThat(seen).containsAll(acknowledged);
      }
    } finally {
      owner.close();
      senders.forEach(ChildJvm::close);
    }
  }
}
