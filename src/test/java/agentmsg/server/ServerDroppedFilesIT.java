package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Hostile files dropped into the inbox of an agent connected to a real server. */
class ServerDroppedFilesIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  @RegisterExtension final RunningServer running = new RunningServer(CLIENT);

  @BeforeEach
  void onlyTheWatcherPushesFileModeMessages() {
    // The safety-net re-check would push them too, later: an hour away, the watcher must do it.
    running.restart(ServerOptions.builder().pollInterval(Duration.ofHours(1)));
  }

  @Test
  void anOversizedFileInAnInboxLeavesFileModeMessagesPushed() throws Exception {
    TestSocket alice = running.hello("alice", "receive");
    // Sparse: 3 GiB on paper. Reading it whole was an OutOfMemoryError that ended the watcher.
    Path made = running.home().resolve("huge.json");
    try (RandomAccessFile file = new RandomAccessFile(made.toFile(), "rw")) {
      file.setLength(3L << 30);
    }
    // Moved in whole, as a careful writer drops a file: one event, and the file at its full size.
    Path huge =
        Files.move(
            made, running.home().resolve("inbox/alice/huge.json"), StandardCopyOption.ATOMIC_MOVE);

    Message sent;
    try (AgentMessenger bob = running.messenger("bob")) {
      sent = bob.send("alice", "still pushed after the huge file");
    }

    JsonNode pushed = alice.next("message");
    assertThat(pushed.path("id").asText()).isEqualTo(sent.id());
    assertThat(running.home().resolve("rejected/alice/huge.json")).exists();
    assertThat(huge).doesNotExist();
  }

  @Test
  void aLinkDroppedIntoAnInboxIsRefusedAndPushesGoOn(@TempDir Path outside) throws Exception {
    TestSocket alice = running.hello("alice", "receive");
    Path secret = outside.resolve("secret.json");
    Files.writeString(secret, "{\"from\":\"mallory\",\"message\":\"outside secret\"}");
    Files.createSymbolicLink(running.home().resolve("inbox/alice/secret.json"), secret);

    Message sent;
    try (AgentMessenger bob = running.messenger("bob")) {
      sent = bob.send("alice", "the honest one");
    }

    JsonNode pushed = alice.next("message");
    assertThat(pushed.path("id").asText()).isEqualTo(sent.id());
    assertThat(pushed.path("message").asText()).isEqualTo("the honest one");
    assertThat(Files.isSymbolicLink(running.home().resolve("rejected/alice/secret.json"))).isTrue();
    try (AgentMessenger reader = running.messenger("alice")) {
      assertThat(reader.history(10)).extracting(Message::body).containsExactly("the honest one");
    }
  }
}
