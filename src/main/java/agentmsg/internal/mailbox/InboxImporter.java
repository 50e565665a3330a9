package agentmsg.internal.mailbox;

import agentmsg.AgentNames;
import agentmsg.Message;
import agentmsg.internal.Ids;
import agentmsg.internal.store.MessageRows;
import agentmsg.internal.store.Store;
import agentmsg.internal.wire.MessageJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Takes in message files that another program dropped into an inbox folder (the original tool's
 * format included): a well-formed one is stored once and replaced by its canonical mirror file; a
 * malformed one is moved to {@code rejected/<agent>/} beside a {@code .reason} file. Files named
 * after a stored message id are the mirror's own and are left alone. Thread-safe.
 */
public final class InboxImporter {
  /** A file younger than this that does not parse may still be being written: look again later. */
  private static final long SETTLE_MILLIS = 2_000;

  /** The longest subject the store keeps. */
  private static final int MAX_SUBJECT = 1_000;

  private final Store store;
  private final MailboxLayout layout;
  private final MirrorWriter mirror;
  private final int maxMessageBytes;
  private final Consumer<String> warnings;

  public InboxImporter(
      Store store,
      MailboxLayout layout,
      MirrorWriter mirror,
      int maxMessageBytes,
      Consumer<String> warnings) {
    this.store = store;
    this.layout = layout;
    this.mirror = mirror;
    this.maxMessageBytes = maxMessageBytes;
    this.warnings = warnings;
  }

  /** Looks at every file in {@code agent}'s inbox; returns how many messages it imported. */
  public int importAll(String agent) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(layout.inbox(agent), "*.json")) {
      for (Path file : files) {
        names.add(file.getFileName().toString());
      }
    } catch (NoSuchFileException noFolderYet) {
      return 0;
    } catch (IOException e) {
      warnings.accept("cannot list " + layout.inbox(agent) + ": " + e);
      return 0;
    }
    return importNames(agent, names);
  }

  /** Looks at the named files of {@code agent}'s inbox; returns how many messages it imported. */
  public int importNames(String agent, Collection<String> fileNames) {
    Map<String, String> idByName = new LinkedHashMap<>();
    for (String name : fileNames) {
      if (name.endsWith(".json") && !name.startsWith(".")) {
        idByName.put(name, name.substring(0, name.length() - ".json".length()));
      }
    }
    if (idByName.isEmpty()) {
      return 0;
    }
    Set<String> known = store.call(handle -> MessageRows.existing(handle, idByName.values()));
    List<Path> imported = new ArrayList<>();
    for (Map.Entry<String, String> entry : idByName.entrySet()) {
      if (!known.contains(entry.getValue())) {
        Path file = layout.inbox(agent).resolve(entry.getKey());
        if (importFile(agent, file, entry.getValue())) {
          imported.add(file);
        }
      }
    }
    if (!imported.isEmpty()) {
      // The foreign files go only once their messages are on disk.
      store.sync();
      for (Path file : imported) {
        deleteQuietly(file);
      }
    }
    return imported.size();
  }

  /**
   * Imports one file.
   *
   * @return whether the foreign file should now be deleted (it was imported under another name)
   */
  private boolean importFile(String agent, Path file, String nameId) {
    byte[] content;
    long modified;
    try {
      modified = Files.getLastModifiedTime(file).toMillis();
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException gone) {
      return false;
    } catch (IOException e) {
      warnings.accept("cannot read " + file + ": " + e);
      return false;
    }
    MessageJson.Incoming incoming;
    try {
      incoming = MessageJson.parseFile(content);
      checkIncoming(incoming);
    } catch (IllegalArgumentException malformed) {
      if (System.currentTimeMillis() - modified < SETTLE_MILLIS) {
        return false; // maybe still being written; its next write event brings it back
      }
      reject(agent, file, malformed.getMessage());
      return false;
    }
    String id =
        isUsableId(incoming.id()) ? incoming.id() : isUsableId(nameId) ? nameId : Ids.newId();
    Instant sentAt =
        incoming.timestamp() != null ? incoming.timestamp() : Instant.ofEpochMilli(modified);
    Message stored =
        store.call(
            handle ->
                handle.inTransaction(
                    tx ->
                        MessageRows.insert(
                            tx,
                            id,
                            incoming.from(),
                            agent,
                            incoming.body(),
                            sentAt.toEpochMilli(),
                            extras(incoming))));
    mirror.write(stored);
    return !layout.inboxFile(agent, stored.id()).equals(file);
  }

  /** The conversation fields of a dropped file; unusable thread or reply ids are left out. */
  private static MessageRows.Extras extras(MessageJson.Incoming incoming) {
    return new MessageRows.Extras(
        isUsableId(incoming.thread()) ? incoming.thread() : null,
        isUsableId(incoming.replyTo()) ? incoming.replyTo() : null,
        incoming.subject(),
        incoming.priority(),
        incoming.ackRequired());
  }

  private void checkIncoming(MessageJson.Incoming incoming) {
    if (!AgentNames.isValid(incoming.from())) {
      throw new IllegalArgumentException("field 'from' is not a valid agent name");
    }
    if (incoming.subject() != null && incoming.subject().length() > MAX_SUBJECT) {
      throw new IllegalArgumentException("field 'subject' is over " + MAX_SUBJECT + " characters");
    }
    if (incoming.body().isEmpty()) {
      throw new IllegalArgumentException("field 'message' is empty");
    }
    int size = incoming.body().getBytes(StandardCharsets.UTF_8).length;
    if (size > maxMessageBytes) {
      throw new IllegalArgumentException(
          "message is " + size + " bytes, over the limit of " + maxMessageBytes);
    }
  }

  private static boolean isUsableId(String id) {
    return id != null && AgentNames.isValid(id);
  }

  private void reject(String agent, Path file, String reason) {
    Path folder = layout.rejected(agent);
    try {
      Files.createDirectories(folder);
      Path target = folder.resolve(file.getFileName());
      for (int n = 1; Files.exists(target); n++) {
        target = folder.resolve(file.getFileName() + "." + n);
      }
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      Files.writeString(
          folder.resolve(target.getFileName() + ".reason"),
          reason + System.lineSeparator(),
          StandardCharsets.UTF_8);
      warnings.accept(
          "rejected "
              + file
              + ": "
              + reason
              + " (moved to "
              + target
              + "; fix it and move it back to import it)");
    } catch (NoSuchFileException gone) {
      // Someone else took it away first.
    } catch (IOException e) {
      warnings.accept("cannot move malformed file " + file + " aside: " + e);
    }
  }

  private void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      warnings.accept("imported " + file + " but cannot delete it: " + e);
    }
  }
}
