package agentmsg;

import java.time.Instant;
import java.util.Objects;

/**
 * One message from one agent to another. Immutable.
 *
 * @param id the message id, unique in the store
 * @param seq the store's sequence number: later messages have larger numbers
 * @param from the sender
 * @param to the recipient
 * @param body the text of the message
 * @param timestamp when it was sent
 * @param deliveredAt when a connected client of the recipient acknowledged it, or null
 * @param readAt when the recipient was shown it, or null
 * @param ackedAt when the recipient explicitly acknowledged it, or null
 * @param thread the thread it belongs to: its own id when it starts one
 * @param replyTo the id of the message it answers, or null
 * @param subject a short subject line, or null
 * @param priority how important it is
 * @param ackRequired whether the sender asked the recipient to acknowledge it
 * @param surfacedAt when the {@code hook} command put it into the recipient's model context, or
 *     null
 */
public record Message(
    String id,
    long seq,
    String from,
    String to,
    String body,
    Instant timestamp,
    Instant deliveredAt,
    Instant readAt,
    Instant ackedAt,
    String thread,
    String replyTo,
    String subject,
    Priority priority,
    boolean ackRequired,
    Instant surfacedAt) {

  public Message {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(timestamp, "timestamp");
    if (thread == null) {
      thread = id;
    }
    if (priority == null) {
      priority = Priority.NORMAL;
    }
  }

  /** A message that starts its own thread, of normal priority, with no subject and no ack asked. */
  public Message(
      String id,
      long seq,
      String from,
      String to,
      String body,
      Instant timestamp,
      Instant deliveredAt,
      Instant readAt,
      Instant ackedAt) {
    this(
        id,
        seq,
        from,
        to,
        body,
        timestamp,
        deliveredAt,
        readAt,
        ackedAt,
        null,
        null,
        null,
        Priority.NORMAL,
        false,
        null);
  }

  /** The furthest state this message has reached. */
  public MessageStatus status() {
    if (ackedAt != null) {
      return MessageStatus.ACKED;
    }
    if (readAt != null) {
      return MessageStatus.READ;
    }
    if (deliveredAt != null) {
      return MessageStatus.DELIVERED;
    }
    return MessageStatus.STORED;
  }

  /** Whether the recipient has not been shown this message yet. */
  public boolean unread() {
    return readAt == null;
  }

  /** This message as marked read at the given time (unchanged if it was read already). */
  public Message markedRead(Instant at) {
    return readAt != null
        ? this
        : new Message(
            id,
            seq,
            from,
            to,
            body,
            timestamp,
            deliveredAt,
            at,
            ackedAt,
            thread,
            replyTo,
            subject,
            priority,
            ackRequired,
            surfacedAt);
  }
}
