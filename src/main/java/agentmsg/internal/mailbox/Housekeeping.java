package agentmsg.internal.mailbox;

import agentmsg.Message;
import agentmsg.internal.store.MailStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Retention and repair of a data home: {@link #prune} deletes old messages (rows, words and mirror
 * files); {@link #check} compares the mirror with the store, finds stray temporary files and
 * rejected files, and with {@code repair} rebuilds what is missing. Thread-safe.
 */
public final class Housekeeping {
  /** A temporary file older than this was left behind by a crashed writer. */
  static final Duration STALE_TMP = Duration.ofMinutes(5);

  /**
   * How long prune remembers the id of a message it deleted. A mirror file of the message that
   * turns up meanwhile (written late by a writer that read the row before the prune, or left by a
   * prune that crashed before it deleted the files) is deleted, never imported as a dropped file;
   * the prune that forgets the id deletes its files once more first.
   */
  static final Duration REMEMBER_PRUNED = Duration.ofDays(7);

  private static final int PAGE = 1_000;

  private final MailStore store;
  private final MailboxLayout layout;
  private final MirrorWriter mirror;
  private final Consumer<List<Message>> afterDelete;

  public Housekeeping(MailStore store, MailboxLayout layout) {
    this(store, layout, deleted -> {});
  }

  /**
   * With a hook called once each batch of pruned messages is deleted from the store, before their
   * mirror files are: tests look at the inbox there, as a reader in another process might.
   */
  Housekeeping(MailStore store, MailboxLayout layout, Consumer<List<Message>> afterDelete) {
    this.store = store;
    this.layout = layout;
    this.mirror = new MirrorWriter(layout);
    this.afterDelete = afterDelete;
  }

  /**
   * What {@code prune} did or would do.
   *
   * @param messages messages deleted (or that would be)
   * @param files mirror files deleted (or that would be)
   * @param keptUnread old messages kept because they are unread or wait for an ack
   */
  public record PruneResult(int messages, int files, int keptUnread) {}

  /**
   * Deletes messages stored before {@code cutoff} that were read (and acked, where an ack was asked
   * for), or every old message when {@code includeUnread}, with their mirror files. The store
   * remembers their ids ({@link #REMEMBER_PRUNED}) in the same transaction, so that no reader
   * mistakes a mirror file left behind for one of them for a dropped file and imports it again: the
   * files go after the rows, and a crash in between leaves only files that readers delete.
   */
  public PruneResult prune(Instant cutoff, boolean includeUnread, boolean dryRun) {
    long cutoffMillis = cutoff.toEpochMilli();
    long now = System.currentTimeMillis();
    int messages = 0;
    int files = dryRun ? 0 : forgetPruned(now - REMEMBER_PRUNED.toMillis());
    long afterSeq = 0;
    while (true) {
      long after = afterSeq;
      List<Message> batch = store.prunePage(cutoffMillis, includeUnread, after, dryRun, now);
      if (batch.isEmpty()) {
        break;
      }
      messages += batch.size();
      if (!dryRun) {
        afterDelete.accept(batch);
      }
      for (Message message : batch) {
        for (Path file :
            List.of(
                layout.inboxFile(message.to(), message.id()),
                layout.outboxFile(message.from(), message.id()))) {
          if (dryRun ? Files.exists(file) : deleteIfExists(file)) {
            files++;
          }
        }
        afterSeq = Math.max(afterSeq, message.seq());
      }
    }
    if (!dryRun && messages > 0) {
      store.sync();
    }
    long kept = store.countBefore(cutoffMillis);
    int keptUnread = (int) (dryRun ? kept - messages : kept);
    return new PruneResult(messages, files, Math.max(0, keptUnread));
  }

  /**
   * Forgets the pruned messages remembered since before {@code beforeMillis}, once their mirror
   * files, if any turned up again, are deleted; returns how many files that was. An id whose file
   * cannot be deleted is kept, so that no reader imports the file.
   */
  private int forgetPruned(long beforeMillis) {
    int files = 0;
    String afterId = "";
    while (true) {
      String after = afterId;
      List<MailStore.Pruned> batch = store.prunedBefore(beforeMillis, after);
      if (batch.isEmpty()) {
        return files;
      }
      List<MailStore.Pruned> gone = new ArrayList<>(batch.size());
      for (MailStore.Pruned pruned : batch) {
        boolean cleared = true;
        for (Path file :
            List.of(
                layout.inboxFile(pruned.to(), pruned.id()),
                layout.outboxFile(pruned.from(), pruned.id()))) {
          try {
            files += Files.deleteIfExists(file) ? 1 : 0;
          } catch (IOException e) {
            cleared = false;
          }
        }
        if (cleared) {
          gone.add(pruned);
        }
        afterId = pruned.id();
      }
      store.forget(gone);
    }
  }

  /**
   * What {@code doctor} found (and fixed, with repair).
   *
   * @param schema the schema version found
   * @param expectedSchema the schema version this code expects
   * @param messages messages in the store
   * @param missingMirror mirror files missing for stored messages
   * @param rebuiltMirror mirror files written again (repair)
   * @param staleTmp files left in {@code tmp/} by crashed writers
   * @param removedTmp of those, removed (repair)
   * @param rejected malformed files set aside in {@code rejected/}, for a person to look at
   */
  public record Report(
      String schema,
      int expectedSchema,
      long messages,
      int missingMirror,
      int rebuiltMirror,
      int staleTmp,
      int removedTmp,
      List<Path> rejected) {
    /** Whether something is still wrong that repair could fix. */
    public boolean unhealthy() {
      return !schema.equals(Integer.toString(expectedSchema))
          || missingMirror > rebuiltMirror
          || staleTmp > removedTmp;
    }
  }

  /** Checks the store, the mirror, {@code tmp/} and {@code rejected/}; fixes what it can. */
  public Report check(boolean repair) throws IOException {
    String schema = store.schemaVersion();
    long messages = 0;
    int missing = 0;
    int rebuilt = 0;
    long afterSeq = 0;
    while (true) {
      long after = afterSeq;
      List<Message> page = store.page(after, PAGE);
      if (page.isEmpty()) {
        break;
      }
      for (Message message : page) {
        messages++;
        afterSeq = message.seq();
        boolean inbox = Files.exists(layout.inboxFile(message.to(), message.id()));
        boolean outbox = Files.exists(layout.outboxFile(message.from(), message.id()));
        missing += (inbox ? 0 : 1) + (outbox ? 0 : 1);
        if (repair && !(inbox && outbox)) {
          byte[] content =
              agentmsg.json.MessageJson.toFileJson(message)
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8);
          if (!outbox) {
            mirror.place(content, layout.outboxFile(message.from(), message.id()));
            rebuilt++;
          }
          if (!inbox) {
            mirror.place(content, layout.inboxFile(message.to(), message.id()));
            rebuilt++;
          }
        }
      }
    }
    int stale = 0;
    int removed = 0;
    long staleBefore = System.currentTimeMillis() - STALE_TMP.toMillis();
    for (Path file : list(layout.tmp())) {
      if (Files.getLastModifiedTime(file).toMillis() < staleBefore) {
        stale++;
        if (repair && deleteIfExists(file)) {
          removed++;
        }
      }
    }
    List<Path> rejected = new ArrayList<>();
    for (Path folder : list(layout.home().resolve("rejected"))) {
      for (Path file : list(folder)) {
        if (!file.getFileName().toString().endsWith(".reason")) {
          rejected.add(file);
        }
      }
    }
    return new Report(
        schema,
        store.expectedSchemaVersion(),
        messages,
        missing,
        rebuilt,
        stale,
        removed,
        rejected);
  }

  private static List<Path> list(Path folder) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        files.add(entry);
      }
    } catch (NoSuchFileException none) {
      return files;
    }
    files.sort(null);
    return files;
  }

  private static boolean deleteIfExists(Path file) {
    try {
      return Files.deleteIfExists(file);
    } catch (IOException e) {
      return false;
    }
  }
}
