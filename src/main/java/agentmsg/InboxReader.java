package agentmsg;

import agentmsg.internal.mailbox.InboxWatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A live view of one agent's inbox, for readers that wait: {@link #next} returns each unread
 * message once, waking the moment a message file lands in the inbox folder (or, as a safety net,
 * every {@link Options#pollInterval()}), and never misses one that lands between two calls.
 *
 * <p>Made by {@link AgentMessenger#openInbox()}. Not thread-safe: one thread reads; {@link #close}
 * may come from any thread and wakes a waiting {@code next}.
 */
public final class InboxReader implements AutoCloseable {
  private final AgentMessenger messenger;
  private final InboxWatch watch;

  /** Returned but not yet marked read: never returned twice, even if marking read failed. */
  private final Set<String> handedOut = new HashSet<>();

  private boolean scanned;
  private volatile boolean closed;

  InboxReader(AgentMessenger messenger, Path folder) {
    this.messenger = messenger;
    this.watch = InboxWatch.open(folder);
  }

  /**
   * Returns the unread messages not returned before, oldest first, waiting up to {@code maxWait}
   * for at least one. Marks nothing read: call {@link #markRead} once they were shown.
   *
   * @return the new messages, or an empty list if none came in time or the reader was closed
   */
  public List<Message> next(Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    if (!scanned) {
      messenger.importer().importAll(messenger.agent());
      scanned = true;
    }
    while (!closed) {
      List<Message> fresh = messenger.unreadExcept(handedOut);
      if (!fresh.isEmpty()) {
        for (Message message : fresh) {
          handedOut.add(message.id());
        }
        return fresh;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        break;
      }
      Duration slice =
          Duration.ofNanos(Math.min(remaining, messenger.options().pollInterval().toNanos()));
      InboxWatch.Changes changes = watch.await(slice);
      if (changes.overflow()) {
        messenger.importer().importAll(messenger.agent());
      } else if (!changes.names().isEmpty()) {
        messenger.importer().importNames(messenger.agent(), changes.names());
      }
    }
    return List.of();
  }

  /** Marks messages returned by {@link #next} as read now; returns them as marked. */
  public List<Message> markRead(List<Message> messages) {
    return markRead(messages, java.time.Instant.now());
  }

  /** Marks messages returned by {@link #next} as read at {@code readAt}; returns them as marked. */
  public List<Message> markRead(List<Message> messages, java.time.Instant readAt) {
    List<Message> marked = messenger.markRead(messages, readAt);
    for (Message message : messages) {
      handedOut.remove(message.id());
    }
    return marked;
  }

  /** Stops watching; a {@link #next} waiting in another thread returns at once. */
  @Override
  public void close() {
    closed = true;
    watch.close();
  }
}
