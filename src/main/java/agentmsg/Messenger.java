package agentmsg;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One agent's mailbox, wherever it lives: in a local data home ({@link AgentMessenger}, the store
 * and its mirror files) or behind an agent-msg server, over one reconnecting WebSocket client. The
 * command line, the MCP tools and the examples all go through this interface, so that a send, a
 * wait or an ack means the same thing on both.
 *
 * <p>Not every mailbox can do everything: the server's protocol carries no groups, so a remote
 * messenger refuses group changes with {@code not-supported}.
 *
 * <p>Implementations are thread-safe: calls may run at once, and a wait blocks only its own caller.
 */
public interface Messenger extends AutoCloseable {

  /** The agent this messenger acts as. */
  String agent();

  /** Registers this messenger's agent, or updates its type. */
  Agent register(AgentType type);

  /** Every registered agent, by name. */
  List<Agent> agents();

  /**
   * Stores a draft from this agent: one message, or one copy per recipient of a fan-out ({@code
   * @all}, {@code @<group>}), all in one thread. Returns once every copy is durably stored.
   *
   * @throws UnknownAgentException if a single recipient is not registered
   * @throws AgentMsgException {@code unknown-group} or {@code no-recipients} for a fan-out
   */
  List<Message> send(MessageDraft draft);

  /**
   * Sends a draft as {@link #send(MessageDraft)} does, and tells what its sender should know: each
   * recipient's health where the mailbox can tell, and whether the loop guard now holds the thread.
   *
   * @throws ThreadHeldException if the loop guard holds the thread; nothing is stored
   */
  default Sent submit(MessageDraft draft) {
    return Sent.of(send(draft));
  }

  /** Sends {@code body} to one agent; see {@link #send(MessageDraft)}. */
  default Message send(String to, String body) {
    return send(MessageDraft.to(to, body)).get(0);
  }

  /** The message {@code id}, if this agent may see it. */
  Optional<Message> message(String id);

  /** The unread messages, oldest first, taking nothing. */
  List<Message> unread();

  /** Takes the unread messages, oldest first, marked read. */
  Taken take();

  /**
   * Waits up to {@code timeout} for unread messages, then takes them; empty if none came or the
   * messenger was closed meanwhile.
   */
  Taken await(Duration timeout) throws InterruptedException;

  /** The messages this agent sent or received that match {@code query}, newest first. */
  List<Message> history(HistoryQuery query);

  /**
   * The thread that {@code id} names or belongs to, oldest first: {@code id} may be a thread id or
   * the id of any message in it. Empty if neither exists.
   */
  List<Message> thread(String id);

  /**
   * What became of a message: the message {@code id}, or, if there is none, every copy of the
   * fan-out {@code id}. Empty if neither exists.
   */
  List<Message> status(String id);

  /**
   * Acknowledges messages sent to this agent (an ack implies read). Acking twice is harmless.
   *
   * @return the messages that were not acked before, as they are now
   */
  List<Message> ack(Collection<String> ids);

  /** Messages that asked for an ack and have none yet: owed by this agent and owed to it. */
  List<Message> pendingAcks();

  /** Every group with its members, by name. */
  Map<String, List<String>> groups();

  /** Creates group {@code name} with {@code members} (registered agents). */
  void createGroup(String name, Collection<String> members);

  /** Adds registered agents to group {@code name}; returns how many were not members yet. */
  int addToGroup(String name, Collection<String> members);

  /** Removes agents from group {@code name}; returns how many were members. */
  int removeFromGroup(String name, Collection<String> members);

  /** Deletes group {@code name} (not its members' messages). */
  void deleteGroup(String name);

  /**
   * Tells {@code listener} about each message that lands from now on, once (messages unread before
   * the call are not told); {@code warnings} hears of trouble with that. Closing the returned
   * handle, or the messenger, stops it.
   */
  AutoCloseable announce(Consumer<List<Message>> listener, Consumer<String> warnings);

  /** Stops announcing and wakes every waiting call; releases what the messenger holds. */
  @Override
  void close();

  /**
   * Messages taken from the inbox, and what to do once they reached whoever asked (a model, a
   * terminal): a remote messenger acks them to its server only then, so that none is lost on the
   * way. A local messenger marked them read already.
   *
   * @param messages the messages taken, oldest first
   * @param handedOver run once they were handed over; does nothing where nothing is owed
   */
  record Taken(List<Message> messages, Runnable handedOver) {
    /** Nothing to do once handed over. */
    public static final Runnable NOTHING = () -> {};

    public Taken {
      messages = List.copyOf(messages);
    }

    /** Messages that need nothing more once handed over. */
    public static Taken of(List<Message> messages) {
      return new Taken(messages, NOTHING);
    }

    /** Whether nothing was taken. */
    public boolean isEmpty() {
      return messages.isEmpty();
    }
  }
}
