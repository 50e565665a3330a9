package agentmsg.internal.wire;

import agentmsg.MessageDraft;
import agentmsg.Priority;

/**
 * A frame a client sends to the server. The original tool's frames ({@code register}, {@code
 * message}) are read into the same records, marked {@code legacy}, so the server handles both
 * protocols with one code path. Immutable.
 */
public sealed interface ClientFrame {

  /** How a connection takes part: receiving pushed messages, or only sending and asking. */
  enum Role {
    RECEIVE,
    SEND_ONLY;

    public String id() {
      return this == RECEIVE ? "receive" : "send-only";
    }

    /**
     * @throws FrameException if {@code text} names no role
     */
    static Role parse(String text) {
      return switch (text) {
        case "receive" -> RECEIVE;
        case "send-only" -> SEND_ONLY;
        default ->
            throw new FrameException(
                "invalid-field",
                "field 'role' must be 'receive' or 'send-only', was '" + text + "'");
      };
    }
  }

  /**
   * {@code hello} (or the original's {@code register}): who this connection is.
   *
   * @param agent the agent name
   * @param role receive pushes, or send only
   * @param takeover replace an existing receiving connection of the same agent
   * @param instance an id the client keeps across its reconnects: a receiving connection with the
   *     same instance is replaced without asking, since it is the client's own dead connection
   * @param legacy it came as the original's {@code register}
   */
  record Hello(String agent, Role role, boolean takeover, String instance, boolean legacy)
      implements ClientFrame {}

  /**
   * {@code send} (or the original's {@code message}): store a message and push it.
   *
   * @param clientId the idempotency key (the original's {@code id}); may be null
   * @param from the sender the client claims; null means the connection's agent
   * @param to the recipient
   * @param message the body
   * @param thread the thread the message continues, or null to start its own
   * @param replyTo the id of the message it answers, or null
   * @param legacy it came as the original's {@code message}
   * @param priority {@code low}, {@code normal}, {@code high} or {@code urgent}; null is normal
   * @param subject a subject line, or null
   */
  record Send(
      String clientId,
      String from,
      String to,
      String message,
      String thread,
      String replyTo,
      boolean legacy,
      String priority,
      String subject,
      boolean ackRequired)
      implements ClientFrame {

    /** A send of normal priority. */
    public Send(
        String clientId,
        String from,
        String to,
        String message,
        String thread,
        String replyTo,
        boolean legacy) {
      this(clientId, from, to, message, thread, replyTo, legacy, null, null, false);
    }

    /** The send of {@code draft} under {@code clientId}: normal priority goes as the default. */
    public static Send of(String clientId, MessageDraft draft) {
      return new Send(
          clientId,
          null,
          draft.to(),
          draft.body(),
          draft.thread(),
          draft.replyTo(),
          false,
          draft.priority() == Priority.NORMAL ? null : draft.priority().id(),
          draft.subject(),
          draft.ackRequired());
    }
  }

  /**
   * {@code ack}: the recipient has the message. Either one {@code id}, or every message pushed on
   * this connection up to sequence number {@code upTo}.
   */
  record Ack(String id, Long upTo) implements ClientFrame {}

  /** {@code ping}: is {@code agent} connected? Without an agent, a plain liveness check. */
  record Ping(String agent) implements ClientFrame {}

  /** {@code list}: the registered agents. {@code ref} comes back in the answer. */
  record ListAgents(String ref) implements ClientFrame {}

  /**
   * {@code history}: messages the connection's agent sent or received, newest first; every filter
   * may be null.
   *
   * @param ref comes back in the answer
   * @param with only messages exchanged with this agent
   * @param thread only this thread (a thread id or the id of any message in it)
   * @param since only messages stored at or after this ISO-8601 time
   * @param until only messages stored before this ISO-8601 time
   * @param search only messages containing every word of this text
   * @param limit at most this many (the server caps it); null for the server's default
   */
  record History(
      String ref,
      String with,
      String thread,
      String since,
      String until,
      String search,
      Integer limit)
      implements ClientFrame {}

  /**
   * {@code status}: what became of message {@code id} (or of every copy of the fan-out {@code id}),
   * among the messages the connection's agent sent or received.
   */
  record Status(String ref, String id) implements ClientFrame {}
}
