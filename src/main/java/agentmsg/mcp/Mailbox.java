package agentmsg.mcp;

import agentmsg.Agent;
import agentmsg.HistoryQuery;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.Sent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the tools do to one agent's mailbox, wherever it lives: in the local store ({@link
 * LocalMailbox}) or behind an agent-msg server ({@link RemoteMailbox}). Implementations are
 * thread-safe: tool calls run at once, and a wait blocks only its own call.
 */
interface Mailbox extends AutoCloseable {

  /** The agent whose mailbox this is. */
  String agent();

  /**
   * Stores a draft from this agent; one message, or a copy per recipient of a fan-out, with each
   * recipient's health where the mailbox can tell.
   */
  Sent send(MessageDraft draft) throws InterruptedException;

  /** The message {@code id}, if this mailbox may see it. */
  Optional<Message> message(String id) throws InterruptedException;

  /** Takes the unread messages, oldest first, marked read. */
  Taken inbox() throws InterruptedException;

  /** Waits up to {@code timeout} for unread messages, then takes them; empty if none came. */
  Taken await(Duration timeout) throws InterruptedException;

  /** The messages this agent sent or received matching {@code query}, newest first. */
  List<Message> history(HistoryQuery query) throws InterruptedException;

  /** The registered agents. */
  List<Agent> agents() throws InterruptedException;

  /** The message {@code id}, or every copy of the fan-out {@code id}; empty if there is none. */
  List<Message> status(String id) throws InterruptedException;

  /** The unread messages, oldest first, taking nothing. */
  List<Message> unread() throws InterruptedException;

  /**
   * Starts telling {@code listener} about each message that lands from now on, once; {@code
   * warnings} hears of trouble with that.
   */
  void announce(Consumer<List<Message>> listener, Consumer<String> warnings)
      throws InterruptedException;

  /** Stops announcing and wakes every waiting call; later waits fail at once. */
  @Override
  void close();

  /**
   * Messages taken from the inbox, and what to do once a tool result holding them has reached the
   * client: a remote mailbox acks them to the server only then, so that none is lost on the way.
   */
  record Taken(List<Message> messages, Runnable handedOver) {
    /** Nothing to do once handed over. */
    static final Runnable NOTHING = () -> {};

    static Taken of(List<Message> messages) {
      return new Taken(messages, NOTHING);
    }
  }
}
