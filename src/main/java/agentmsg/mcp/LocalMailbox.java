package agentmsg.mcp;

import agentmsg.Agent;
import agentmsg.AgentMessenger;
import agentmsg.AgentMsgException;
import agentmsg.HistoryQuery;
import agentmsg.InboxReader;
import agentmsg.Message;
import agentmsg.MessageDraft;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The mailbox in the local store, through an {@link AgentMessenger} (which its owner keeps and
 * closes). Marks messages read as it hands them out. Thread-safe.
 */
final class LocalMailbox implements Mailbox {
  private final AgentMessenger messenger;

  /** Readers of waiting {@link #await} calls, closed (and so woken) by {@link #close}. */
  private final Set<InboxReader> waiting = ConcurrentHashMap.newKeySet();

  private volatile InboxNotifier notifier;
  private volatile boolean closed;

  LocalMailbox(AgentMessenger messenger) {
    this.messenger = messenger;
  }

  @Override
  public String agent() {
    return messenger.agent();
  }

  @Override
  public List<Message> send(MessageDraft draft) {
    return messenger.send(draft);
  }

  @Override
  public Optional<Message> message(String id) {
    return messenger.message(id);
  }

  @Override
  public Taken inbox() {
    return Taken.of(messenger.checkInbox());
  }

  @Override
  public Taken await(Duration timeout) throws InterruptedException {
    if (closed) {
      throw new AgentMsgException("interrupted", "the MCP server is shutting down");
    }
    try (InboxReader reader = messenger.openInbox()) {
      waiting.add(reader);
      if (closed) {
        // close() may have run before the add: then it did not see this reader.
        reader.close();
      }
      try {
        List<Message> batch = reader.next(timeout);
        return Taken.of(batch.isEmpty() ? batch : reader.markRead(batch, Instant.now()));
      } finally {
        waiting.remove(reader);
      }
    }
  }

  @Override
  public List<Message> history(HistoryQuery query) {
    if (query.thread() != null) {
      // A message id names its thread.
      query =
          query.withThread(
              messenger.message(query.thread()).map(Message::thread).orElse(query.thread()));
    }
    return messenger.history(query);
  }

  @Override
  public List<Agent> agents() {
    return messenger.agents();
  }

  @Override
  public List<Message> status(String id) {
    return messenger.status(id);
  }

  @Override
  public List<Message> unread() {
    return messenger.unread();
  }

  @Override
  public void announce(Consumer<List<Message>> listener, Consumer<String> warnings)
      throws InterruptedException {
    notifier = InboxNotifier.start(messenger, listener, warnings);
  }

  @Override
  public void close() {
    closed = true;
    InboxNotifier watching = notifier;
    if (watching != null) {
      watching.close();
    }
    for (InboxReader reader : new LinkedHashSet<>(waiting)) {
      reader.close();
    }
  }
}
