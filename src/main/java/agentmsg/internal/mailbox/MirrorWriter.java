package agentmsg.internal.mailbox;

import agentmsg.MailboxException;
import agentmsg.Message;
import agentmsg.json.MessageJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes the JSON mirror files of committed messages, the way Maildir does: the whole file is
 * written in {@code tmp/}, then moved into place in one atomic rename, so a reader never sees half
 * a file and a watcher sees exactly one event per message. A message's outbox and inbox files are
 * one file with two names (a hard link, where the file system has them): half the file creations,
 * half the disk. Thread-safe.
 */
public final class MirrorWriter {
  private final MailboxLayout layout;

  public MirrorWriter(MailboxLayout layout) {
    this.layout = layout;
  }

  /** Writes the inbox file of the recipient and the outbox file of the sender. */
  public void write(Message message) {
    byte[] content = MessageJson.toFileJson(message).getBytes(StandardCharsets.UTF_8);
    Path outbox = layout.outboxFile(message.from(), message.id());
    Path inbox = layout.inboxFile(message.to(), message.id());
    Path tmp = tmpFor(inbox);
    try {
      writeFile(tmp, content);
      // Outbox first: the inbox rename is what wakes the recipient, so it comes last.
      if (!link(tmp, outbox)) {
        place(content, outbox);
      }
      moveIntoPlace(tmp, inbox);
    } catch (IOException e) {
      throw failed(tmp, inbox, e);
    }
  }

  /** Writes {@code content} to {@code target} atomically, creating folders as needed. */
  public void place(byte[] content, Path target) {
    Path tmp = tmpFor(target);
    try {
      writeFile(tmp, content);
      moveIntoPlace(tmp, target);
    } catch (IOException e) {
      throw failed(tmp, target, e);
    }
  }

  private Path tmpFor(Path target) {
    return layout
        .tmp()
        .resolve(
            target.getFileName()
                + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
  }

  /**
   * Gives the complete file {@code tmp} the second name {@code target}.
   *
   * @return false if {@code target} is there already (a rewrite: it is replaced the usual way) or
   *     the file system has no hard links here
   */
  private static boolean link(Path tmp, Path target) throws IOException {
    try {
      try {
        Files.createLink(target, tmp);
      } catch (NoSuchFileException parentMissing) {
        Files.createDirectories(target.getParent());
        Files.createLink(target, tmp);
      }
      return true;
    } catch (NoSuchFileException tmpGone) {
      throw tmpGone;
    } catch (FileAlreadyExistsException | UnsupportedOperationException e) {
      return false;
    } catch (FileSystemException noLinksHere) {
      return false; // EPERM, EMLINK, EXDEV and the like: the caller writes a copy instead
    }
  }

  private static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      move(tmp, target);
    } catch (NoSuchFileException parentMissing) {
      Files.createDirectories(target.getParent());
      move(tmp, target);
    }
  }

  private static MailboxException failed(Path tmp, Path target, IOException e) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // Left in tmp/, outside every watched folder; doctor cleans it up.
    }
    return new MailboxException("cannot write mirror file " + target + ": " + e, e);
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
