package agentmsg.internal.store;

import agentmsg.Message;
import agentmsg.Priority;
import java.time.Instant;
import java.util.Objects;

/**
 * A message about to be stored, as the send pipeline decided it: its id, its one recipient, and
 * everything it carries. A fan-out is one of these per copy.
 *
 * @param clientId the sender's idempotency key, or null
 * @param thread the thread it continues, or null to start its own (named by its id)
 * @param replyTo the id of the message it answers, or null
 * @param subject its subject line, or null
 * @param priority how important it is; null is normal
 * @param ackRequired whether the recipient is asked to acknowledge it
 */
public record NewMessage(
    String id,
    String sender,
    String recipient,
    String body,
    long createdAtMillis,
    String clientId,
    String thread,
    String replyTo,
    String subject,
    Priority priority,
    boolean ackRequired) {

  public NewMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(body, "body");
    if (thread == null) {
      thread = id;
    }
    if (priority == null) {
      priority = Priority.NORMAL;
    }
  }

  /** A plain message: no client id, its own thread, no reply, subject or ack request. */
  public static NewMessage plain(
      String id, String sender, String recipient, String body, long createdAtMillis) {
    return new NewMessage(
        id, sender, recipient, body, createdAtMillis, null, null, null, null, null, false);
  }

  /** The message as stored with sequence number {@code seq}: nothing delivered or read yet. */
  StoredMessage stored(long seq) {
    return new StoredMessage(
        new Message(
            id,
            seq,
            sender,
            recipient,
            body,
            Instant.ofEpochMilli(createdAtMillis),
            null,
            null,
            null,
            thread,
            replyTo,
            subject,
            priority,
            ackRequired,
            null),
        clientId);
  }
}
