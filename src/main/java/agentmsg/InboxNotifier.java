package agentmsg;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches one agent's inbox on a daemon thread ({@code agent-msg-announce}) and hands each new
 * unread message, once, to a listener ({@link Messenger#announce}). It never marks anything read.
 * Messages already unread when it starts are not announced: the listener may not be ready for them
 * (an MCP client still initializing), and the inbox shows them. Thread-safe; {@link #close} stops
 * the thread and waits for it.
 */
final class InboxNotifier implements AutoCloseable {
  private static final Duration SLICE = Duration.ofMinutes(10);

  private final InboxReader reader;
  private final Consumer<List<Message>> listener;
  private final Consumer<String> warnings;
  private final Thread thread;
  private volatile boolean closed;

  private InboxNotifier(
      InboxReader reader, Consumer<List<Message>> listener, Consumer<String> warnings) {
    this.reader = reader;
    this.listener = listener;
    this.warnings = warnings;
    this.thread = new Thread(this::loop, "agent-msg-announce");
    thread.setDaemon(true);
  }

  /**
   * Starts watching; the watch is in place when this returns, and every message that lands from
   * then on is announced.
   */
  static InboxNotifier start(
      InboxReader reader, Consumer<List<Message>> listener, Consumer<String> warnings) {
    try {
      // Takes the backlog off the reader, so that it returns only what lands from now on.
      reader.next(Duration.ZERO);
    } catch (InterruptedException e) {
      reader.close();
      Thread.currentThread().interrupt();
      throw new AgentMsgException("interrupted", "interrupted while starting to watch the inbox");
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
    InboxNotifier notifier = new InboxNotifier(reader, listener, warnings);
    notifier.thread.start();
    return notifier;
  }

  private void loop() {
    while (!closed) {
      try {
        List<Message> fresh = reader.next(SLICE);
        if (!fresh.isEmpty() && !closed) {
          listener.accept(fresh);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (AgentMsgException | IllegalStateException e) {
        // A store changing hands, a mirror folder gone: report it, the next round re-queries.
        if (!closed) {
          warnings.accept("inbox watch: " + e.getMessage());
          pause();
        }
      } catch (RuntimeException | Error e) {
        // Anything else (an OutOfMemoryError of one allocation included) must not end the
        // announcements for the rest of the session: report it and go on.
        if (!closed) {
          warnings.accept("inbox watch: " + e + " (watching goes on)");
          pause();
        }
      }
    }
  }

  /** Waits a little after a failure, without spinning; returns at once when closed. */
  private void pause() {
    synchronized (this) {
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        long left;
        while (!closed && (left = deadline - System.nanoTime()) > 0) {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closed = true;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (this) {
      notifyAll();
    }
    reader.close();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
