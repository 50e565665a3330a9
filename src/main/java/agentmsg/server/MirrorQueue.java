package agentmsg.server;

import agentmsg.MailboxException;
import agentmsg.Message;
import agentmsg.internal.mailbox.MirrorWriter;
import agentmsg.internal.store.DeliveryRows.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the JSON mirror files of messages the server stored, on its own thread ({@code
 * agent-msg-mirror}), after the sender has its {@code stored} answer: the store is the truth, and
 * the mirror only wakes file readers. When the mirror falls too far behind, files are skipped and
 * counted rather than holding memory; a repair rebuilds them from the store. Thread-safe.
 */
final class MirrorQueue implements AutoCloseable {
  private static final int CAPACITY = 100_000;

  /** Queued by {@link #close} to wake the thread; never written. */
  private static final Row WAKE_UP = new Row("", 0, "", "", "", 0, null, null);

  private final MirrorWriter writer;
  private final RecentIds ownIds;
  private final ServerLog log;
  private final ArrayBlockingQueue<Row> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong skipped = new AtomicLong();
  private final Thread thread;
  private volatile boolean stopping;

  MirrorQueue(MirrorWriter writer, RecentIds ownIds, ServerLog log) {
    this.writer = writer;
    this.ownIds = ownIds;
    this.log = log;
    this.thread = new Thread(this::loop, "agent-msg-mirror");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void add(Row row) {
    // Known before its file exists, so the watcher does not mistake it for another process's.
    ownIds.add(row.id());
    if (!queue.offer(row) && skipped.incrementAndGet() % 10_000 == 1) {
      log.line(
          "mirror behind: skipped "
              + skipped.get()
              + " mirror file(s) so far; the store has every message");
    }
  }

  private void loop() {
    List<Row> batch = new ArrayList<>();
    while (!stopping || !queue.isEmpty()) {
      try {
        Row first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, 1023);
        for (Row row : batch) {
          if (row != WAKE_UP) {
            write(row);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        batch.clear();
      }
    }
  }

  private void write(Row row) {
    try {
      writer.write(
          new Message(
              row.id(),
              row.seq(),
              row.sender(),
              row.recipient(),
              row.body(),
              Instant.ofEpochMilli(row.createdAtMillis()),
              null,
              null,
              null));
    } catch (MailboxException e) {
      log.line("warning: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    stopping = true;
    queue.offer(WAKE_UP);
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
