package agentmsg.mcp;

import agentmsg.Agent;
import agentmsg.AgentMessenger;
import agentmsg.HistoryQuery;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.Messenger;
import agentmsg.Sent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The mailbox in the local store, through an {@link AgentMessenger}, which closing this closes.
 * Marks messages read as it hands them out. Thread-safe.
 */
final class LocalMailbox implements Mailbox {
  private final AgentMessenger messenger;

  LocalMailbox(AgentMessenger messenger) {
    this.messenger = messenger;
  }

  @Override
  public String agent() {
    return messenger.agent();
  }

  @Override
  public Sent send(MessageDraft draft) {
    return messenger.submit(draft);
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
    Messenger.Taken taken = messenger.await(timeout);
    return Taken.of(taken.messages());
  }

  @Override
  public List<Message> history(HistoryQuery query) {
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
  public void announce(Consumer<List<Message>> listener, Consumer<String> warnings) {
    messenger.announce(listener, warnings);
  }

  /** Closes the messenger, which stops its announcements and wakes its waits. */
  @Override
  public void close() {
    messenger.close();
  }
}
