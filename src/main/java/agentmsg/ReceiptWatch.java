package agentmsg;

import agentmsg.internal.mailbox.InboxWatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * Waits for receipts on messages this agent sent: wakes when a recipient marks them read or acked
 * (the reader rewrites a file in this agent's receipts folder), re-checks the store on every wake
 * and, as a safety net, every {@link Options#pollInterval()}. Made by the local messenger's {@code
 * watchReceipts()} before sending. Not thread-safe; {@link #close} may come from any thread.
 */
public final class ReceiptWatch implements AutoCloseable {
  private final Function<Collection<String>, List<Message>> current;
  private final Duration pollInterval;
  private final InboxWatch watch;

  /**
   * @param current the state of the messages of the given ids, as stored now
   * @param pollInterval how often to re-query when no file event came
   */
  ReceiptWatch(
      Function<Collection<String>, List<Message>> current, Duration pollInterval, Path folder) {
    this.current = current;
    this.pollInterval = pollInterval;
    this.watch = InboxWatch.open(folder);
  }

  /**
   * Blocks until every message in {@code sent} reached {@code state} ({@link MessageStatus#READ} or
   * {@link MessageStatus#ACKED}) or {@code timeout} passed.
   *
   * @return the messages as they are at the end; check them with {@link #reached}
   */
  public List<Message> await(Collection<Message> sent, MessageStatus state, Duration timeout)
      throws InterruptedException {
    List<String> ids = new ArrayList<>(sent.size());
    for (Message message : sent) {
      ids.add(message.id());
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Message> now = current.apply(ids);
      if (reached(now, state)) {
        return now;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return now;
      }
      watch.await(Duration.ofNanos(Math.min(remaining, pollInterval.toNanos())));
    }
  }

  /** Whether every message has reached {@code state} (a later state counts). */
  public static boolean reached(Collection<Message> messages, MessageStatus state) {
    for (Message message : messages) {
      if (message.status().compareTo(state) < 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    watch.close();
  }
}
