package agentmsg.internal.mailbox;

import agentmsg.Message;
import agentmsg.internal.store.ConversationRows;
import agentmsg.internal.store.Store;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Retention and repair of a data home: {@link #prune} deletes old messages (rows, words and mirror
 * files); {@link #check} compares the mirror with the store, finds stray temporary files and
 * rejected files, and with {@code repair} rebuilds what is missing. Thread-safe.
 */
public final class Housekeeping {
  /** A temporary file older than this was left behind by a crashed writer. */
  static final Duration STALE_TMP = Duration.ofMinutes(5);

  private static final int PAGE = 1_000;

  private final Store store;
  private final MailboxLayout layout;
  private final MirrorWriter mirror;

  public Housekeeping(Store store, MailboxLayout layout) {
    this.store = store;
    this.layout = layout;
    this.mirror = new MirrorWriter(layout);
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
   * for), or every old message when {@code includeUnread}, with their mirror files.
   */
  public PruneResult prune(Instant cutoff, boolean includeUnread, boolean dryRun) {
    long cutoffMillis = cutoff.toEpochMilli();
    int messages = 0;
    int files = 0;
    long afterSeq = 0;
    while (true) {
      long after = afterSeq;
      List<Message> batch =
          store.call(
              handle ->
                  handle.inTransaction(
                      tx -> {
                        List<Message> page =
                            ConversationRows.prunable(tx, cutoffMillis, includeUnread, after);
                        if (!dryRun) {
                          ConversationRows.delete(tx, page);
                        }
                        return page;
                      }));
      if (batch.isEmpty()) {
        break;
      }
      messages += batch.size();
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
    long kept =
        store.call(
            handle ->
                handle
                    .createQuery("SELECT COUNT(*) FROM message WHERE created_at < :cutoff")
                    .bind("cutoff", cutoffMillis)
                    .mapTo(Long.class)
                    .one());
    int keptUnread = (int) (dryRun ? kept - messages : kept);
    return new PruneResult(messages, files, Math.max(0, keptUnread));
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
    String schema = store.call(ConversationRows::schemaVersion);
    long messages = 0;
    int missing = 0;
    int rebuilt = 0;
    long afterSeq = 0;
    while (true) {
      long after = afterSeq;
      List<Message> page = store.call(handle -> ConversationRows.page(handle, after, PAGE));
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
              agentmsg.internal.wire.MessageJson.toFileJson(message)
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
        ConversationRows.expectedSchemaVersion(),
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
