package agentmsg.internal.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.Message;
import agentmsg.json.MessageJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorWriterTest {
  @TempDir Path home;

  @Test
  void aMessageGetsOneCompleteFileNamedInTheInboxAndTheOutbox() throws Exception {
    MailboxLayout layout = new MailboxLayout(home);
    Message message = message("m-1", "first");

    new MirrorWriter(layout).write(message);

    Path inbox = layout.inboxFile("bob", "m-1");
    Path outbox = layout.outboxFile("alice", "m-1");
    assertThat(inbox).hasContent(MessageJson.toFileJson(message));
    assertThat(outbox).hasContent(MessageJson.toFileJson(message));
    assertThat(Files.isSameFile(inbox, outbox)).as("one file, two names").isTrue();
    assertThat(leftInTmp(layout)).isZero();
  }

  @Test
  void writingAgainReplacesBothNamesEvenWhenTheyAreTwoFiles() throws Exception {
    MailboxLayout layout = new MailboxLayout(home);
    MirrorWriter writer = new MirrorWriter(layout);
    writer.write(message("m-2", "first"));
    // As a repair writes them: two separate files.
    writer.place("{}".getBytes(), layout.outboxFile("alice", "m-2"));

    Message again = message("m-2", "second");
    writer.write(again);

    assertThat(layout.inboxFile("bob", "m-2")).hasContent(MessageJson.toFileJson(again));
    assertThat(layout.outboxFile("alice", "m-2")).hasContent(MessageJson.toFileJson(again));
    assertThat(leftInTmp(layout)).isZero();
  }

  @Test
  void aMessageToOneselfHasBothNamesInItsOwnFolders() throws Exception {
    MailboxLayout layout = new MailboxLayout(home);
    Message note =
        new Message("m-3", 3, "alice", "alice", "note to self", Instant.now(), null, null, null);

    new MirrorWriter(layout).write(note);

    assertThat(layout.inboxFile("alice", "m-3")).hasContent(MessageJson.toFileJson(note));
    assertThat(layout.outboxFile("alice", "m-3")).hasContent(MessageJson.toFileJson(note));
  }

  private static Message message(String id, String body) {
    return new Message(id, 1, "alice", "bob", body, Instant.now(), null, null, null);
  }

  private static long leftInTmp(MailboxLayout layout) throws Exception {
    if (!Files.isDirectory(layout.tmp())) {
      return 0;
    }
    try (Stream<Path> files = Files.list(layout.tmp())) {
      return files.count();
    }
  }
}
