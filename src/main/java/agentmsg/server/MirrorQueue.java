package agentmsg.server;

import agentmsg.MailboxException;
import agentmsg.internal.RecentIds;
import agentmsg.internal.mailbox.MailboxLayout;
import agentmsg.internal.mailbox.MirrorWriter;
import agentmsg.internal.store.StoredMessage;
import java.nio.charset.StandardCharsets;
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

  /** How long {@link #close} lets the thread write what is queued. */
  private static final long CLOSE_MILLIS = 10_000;

  /** Queued by {@link #close} to wake the thread; never written. */
  private static final Job WAKE_UP = new Receipt("", "", 0);

  private final MirrorWriter writer;
  private final MailboxLayout layout;
  private final RecentIds ownIds;
  private final ServerLog log;
  private final ArrayBlockingQueue<Job> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong skipped = new AtomicLong();
  private final Thread thread;
  private volatile boolean stopping;

  /** Set when closing took too long: the thread writes no more files and ends. */
  private volatile boolean abandoned;

  /** How many jobs were left when the thread stopped early; read after joining it. */
  private int left;

  MirrorQueue(MirrorWriter writer, MailboxLayout layout, RecentIds ownIds, ServerLog log) {
    this.writer = writer;
    this.layout = layout;
    this.ownIds = ownIds;
    this.log = log;
    this.thread = new Thread(this::loop, "agent-msg-mirror");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void add(StoredMessage row) {
    // Known before its file exists, so the watcher does not mistake it for another process's.
    ownIds.add(row.id());
    offer(new MirrorFile(row));
  }

  /**
   * Rewrites {@code receipts/<sender>/<reader>.json}, as a reader in another process would: it
   * wakes a sender waiting with {@code --wait-read} for messages its reader acked here.
   */
  void receipt(String sender, String reader, long atMillis) {
    offer(new Receipt(sender, reader, atMillis));
  }

  private void offer(Job job) {
    if (!queue.offer(job) && skipped.incrementAndGet() % 10_000 == 1) {
      log.line(
          "mirror behind: skipped "
              + skipped.get()
              + " mirror file(s) so far; the store has every message");
    }
  }

  private void loop() {
    List<Job> batch = new ArrayList<>();
    while (!stopping || !queue.isEmpty()) {
      try {
        Job first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, 1023);
        for (int i = 0; i < batch.size(); i++) {
          if (abandoned) {
            left = batch.size() - i + queue.size();
            return;
          }
          Job job = batch.get(i);
          if (job instanceof MirrorFile file) {
            write(file.row());
          } else if (job instanceof Receipt receipt && job != WAKE_UP) {
            write(receipt);
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

  private void write(StoredMessage stored) {
    try {
      writer.write(stored.message());
    } catch (MailboxException e) {
      log.line("warning: " + e.getMessage());
    }
  }

  private void write(Receipt receipt) {
    String json =
        "{\"reader\":\""
            + receipt.reader()
            + "\",\"state\":\"read\",\"at\":"
            + receipt.atMillis()
            + "}\n";
    try {
      writer.place(
          json.getBytes(StandardCharsets.UTF_8),
          layout.receiptFile(receipt.sender(), receipt.reader()));
    } catch (MailboxException e) {
      log.line("warning: " + e.getMessage());
    }
  }

  private sealed interface Job {}

  private record MirrorFile(StoredMessage row) implements Job {}

  private record Receipt(String sender, String reader, long atMillis) implements Job {}

  /**
   * Writes what is queued, for up to 10 s; then leaves the rest (the store has every message, and
   * {@code agent-msg doctor --repair} rebuilds missing mirror files). Once it returns, no file is
   * written (unless one write hung for seconds more).
   */
  @Override
  public void close() {
    stopping = true;
    queue.offer(WAKE_UP);
    try {
      thread.join(CLOSE_MILLIS);
      if (thread.isAlive()) {
        abandoned = true;
        thread.join(CLOSE_MILLIS);
        log.line(
            "mirror: "
                + left
                + " mirror file(s) left unwritten at shutdown; the store has every message"
                + " (agent-msg doctor --repair writes them)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
