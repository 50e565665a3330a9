package agentmsg.internal.wire;

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
   * @param thread reserved for conversations; stored nowhere yet
   * @param replyTo reserved for replies; stored nowhere yet
   * @param legacy it came as the original's {@code message}
   */
  record Send(
      String clientId,
      String from,
      String to,
      String message,
      String thread,
      String replyTo,
      boolean legacy)
      implements ClientFrame {}

  /**
   * {@code ack}: the recipient has the message. Either one {@code id}, or every message pushed on
   * this connection up to sequence number {@code upTo}.
   */
  record Ack(String id, Long upTo) implements ClientFrame {}

  /** {@code ping}: is {@code agent} connected? Without an agent, a plain liveness check. */
  record Ping(String agent) implements ClientFrame {}
}
