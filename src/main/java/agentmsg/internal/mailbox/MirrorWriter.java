package agentmsg.internal.mailbox;

import agentmsg.MailboxException;
import agentmsg.Message;
import agentmsg.internal.wire.MessageJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes the JSON mirror files of committed messages, the way Maildir does: the whole file is
 * written in {@code tmp/}, then moved into place in one atomic rename, so a reader never sees half
 * a file and a watcher sees exactly one event per message. Thread-safe.
 */
public final class MirrorWriter {
  private final MailboxLayout layout;

  public MirrorWriter(MailboxLayout layout) {
    this.layout = layout;
  }

  /** Writes the inbox file of the recipient and the outbox file of the sender. */
  public void write(Message message) {
    byte[] content = MessageJson.toFileJson(message).getBytes(StandardCharsets.UTF_8);
    // Outbox first: the inbox rename is what wakes the recipient, so it comes last.
    place(content, layout.outboxFile(message.from(), message.id()));
    place(content, layout.inboxFile(message.to(), message.id()));
  }

  /** Writes {@code content} to {@code target} atomically, creating folders as needed. */
  public void place(byte[] content, Path target) {
    Path tmp =
        layout
            .tmp()
            .resolve(
                target.getFileName()
                    + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + ".tmp");
    try {
      writeFile(tmp, content);
      try {
        move(tmp, target);
      } catch (NoSuchFileException parentMissing) {
        Files.createDirectories(target.getParent());
        move(tmp, target);
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // Left in tmp/, outside every watched folder; doctor cleans it up.
      }
      throw new MailboxException("cannot write mirror file " + target + ": " + e, e);
    }
  }

  private static void writeFile(Path tmp, byte[] content) throws IOException {
    try {
      Files.write(tmp, content);
    } catch (NoSuchFileException tmpMissing) {
      Files.createDirectories(tmp.getParent());
      Files.write(tmp, content);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException notOnThisFileSystem) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
