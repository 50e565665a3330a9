package agentmsg.internal.store;

import agentmsg.Message;
import agentmsg.Priority;
import java.util.Objects;

/**
 * A stored message and the client id its sender sent it with: what the server pushes, answers and
 * mirrors. The message is read by the one mapping of the {@code message} table ({@link
 * MessageRows}); the accessors name the columns the server works with.
 *
 * @param message the message, as stored
 * @param clientId the sender's idempotency key, or null
 */
public record StoredMessage(Message message, String clientId) {
  public StoredMessage {
    Objects.requireNonNull(message, "message");
  }

  public String id() {
    return message.id();
  }

  public long seq() {
    return message.seq();
  }

  public String sender() {
    return message.from();
  }

  public String recipient() {
    return message.to();
  }

  public String body() {
    return message.body();
  }

  public long createdAtMillis() {
    return message.timestamp().toEpochMilli();
  }

  /** When the recipient's client acknowledged it, or null. */
  public Long deliveredAtMillis() {
    return message.deliveredAt() == null ? null : message.deliveredAt().toEpochMilli();
  }

  public String thread() {
    return message.thread();
  }

  public Priority priority() {
    return message.priority();
  }
}
