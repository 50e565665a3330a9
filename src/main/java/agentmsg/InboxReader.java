package agentmsg;

import agentmsg.internal.mailbox.InboxWatch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A live view of one agent's inbox, for readers that wait: {@link #next} returns each unread
 * message once, waking the moment a message file lands in the inbox folder (or, as a safety net,
 * every {@link Options#pollInterval()}), and never misses one that lands between two calls.
 *
 * <p>Made by the local messenger's {@code openInbox()}. Not thread-safe: one thread reads; {@link
 * #close} may come from any thread and wakes a waiting {@code next}.
 */
public final class InboxReader implements AutoCloseable {
  /** Where the reader's messages come from: the store, and the inbox's mirror files. */
  interface Source {
    /** Imports every message file in the inbox folder that the store lacks. */
    void importAll();

    /** Imports the message files {@code names} of the inbox folder, if the store lacks them. */
    void importNames(Collection<String> names);

    /** Unread messages not among {@code exclude}, oldest first. */
    List<Message> unreadExcept(Collection<String> exclude);

    /** Marks {@code messages} read at {@code readAt}; returns them as marked. */
    List<Message> markRead(Collection<Message> messages, Instant readAt);

    /** How often to re-query when no file event came. */
    Duration pollInterval();
  }

  private final Source source;
  private final InboxWatch watch;

  /** Returned but not yet marked read: never returned twice, even if marking read failed. */
  private final Set<String> handedOut = new HashSet<>();

  private boolean scanned;
  private volatile boolean closed;

  InboxReader(Source source, Path folder) {
    this.source = source;
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
      source.importAll();
      scanned = true;
    }
    while (!closed) {
      List<Message> fresh = source.unreadExcept(handedOut);
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
      Duration slice = Duration.ofNanos(Math.min(remaining, source.pollInterval().toNanos()));
      InboxWatch.Changes changes = watch.await(slice);
      if (changes.overflow()) {
        source.importAll();
      } else if (!changes.names().isEmpty()) {
        source.importNames(changes.names());
      }
    }
    return List.of();
  }

  /** Marks messages returned by {@link #next} as read now; returns them as marked. */
  public List<Message> markRead(List<Message> messages) {
    return markRead(messages, Instant.now());
  }

  /** Marks messages returned by {@link #next} as read at {@code readAt}; returns them as marked. */
  public List<Message> markRead(List<Message> messages, Instant readAt) {
    List<Message> marked = source.markRead(messages, readAt);
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
