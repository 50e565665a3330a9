package agentmsg.internal.wire;

import agentmsg.Agent;
import agentmsg.Message;
import agentmsg.Priority;
import agentmsg.RecipientHealth;
import agentmsg.json.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A frame the server sends. Written by {@link FrameCodec#write} as a JSON object whose {@code type}
 * ({@code welcome}, {@code registered}, {@code stored}, {@code message}, {@code delivered}, {@code
 * pong}, {@code error}, and the answers {@code agents}, {@code history}, {@code status}) comes
 * first; null fields are left out. Immutable.
 */
public sealed interface ServerFrame {

  /** The reply to {@code hello}: the protocol version and the role the connection got. */
  record Welcome(int version, String agent, String role, String server) implements ServerFrame {}

  /** The reply to the original's {@code register}, with our version added. */
  record Registered(String agent, int version, String role) implements ServerFrame {}

  /**
   * A sent message is durably stored (committed and synced) under {@code id}. For a fan-out ({@code
   * to} is {@code @all} or {@code @<group>}), {@code id} is the shared id, {@code thread} the
   * copies' thread, and {@code copies} every copy stored, in one transaction; {@code seq} is then
   * each copy's own. For one recipient, {@code thread} and {@code copies} are null. {@code health}
   * is each recipient's health when it was stored (null from a server that does not tell), {@code
   * threadHeld} true when the send made the loop guard hold its thread (else null); both were added
   * within version 1, and clients that do not know them skip them.
   */
  record Stored(
      String id,
      String clientId,
      long seq,
      String to,
      String timestamp,
      String thread,
      List<Copy> copies,
      List<RecipientHealth> health,
      Boolean threadHeld)
      implements ServerFrame {

    /** The answer to a send to one agent. */
    public Stored(String id, String clientId, long seq, String to, String timestamp) {
      this(id, clientId, seq, to, timestamp, null, null, null, null);
    }

    /** The answer to a send, without health. */
    public Stored(
        String id,
        String clientId,
        long seq,
        String to,
        String timestamp,
        String thread,
        List<Copy> copies) {
      this(id, clientId, seq, to, timestamp, thread, copies, null, null);
    }

    /** Whether it answers a fan-out. */
    public boolean fannedOut() {
      return copies != null;
    }

    /**
     * The messages this answer says are stored, as their sender {@code from} knows them from its
     * send frame {@code sent}: each copy of a fan-out, else the one message.
     */
    public List<Message> messages(String from, ClientFrame.Send sent) {
      Instant at = timestamp == null ? Instant.now() : Timestamps.parse(timestamp);
      Priority priority = sent.priority() == null ? null : Priority.parse(sent.priority());
      List<Message> messages = new ArrayList<>();
      if (!fannedOut()) {
        String recipient = to == null ? sent.to() : to;
        messages.add(message(id, seq, from, recipient, sent, at, sent.thread(), priority));
        return messages;
      }
      for (Copy copy : copies) {
        messages.add(message(copy.id(), copy.seq(), from, copy.to(), sent, at, thread, priority));
      }
      return messages;
    }

    private static Message message(
        String id,
        long seq,
        String from,
        String to,
        ClientFrame.Send sent,
        Instant at,
        String thread,
        Priority priority) {
      return new Message(
          id,
          seq,
          from,
          to,
          sent.message(),
          at,
          null,
          null,
          null,
          thread,
          sent.replyTo(),
          sent.subject(),
          priority,
          false,
          null);
    }
  }

  /** One copy of a fan-out, as {@link Stored} lists it: its recipient, id and sequence number. */
  record Copy(String to, String id, long seq) {}

  /**
   * A message pushed to its recipient ({@code type: message}, as in the original). {@code seq}
   * grows with every message stored; ack it by {@code id} or up to {@code seq}.
   */
  record Push(
      String id,
      long seq,
      String from,
      String to,
      String message,
      String timestamp,
      String thread,
      String replyTo,
      String subject,
      String priority,
      boolean ackRequired)
      implements ServerFrame {

    /** A push of a message that starts its own thread, of normal priority. */
    public Push(String id, long seq, String from, String to, String message, String timestamp) {
      this(id, seq, from, to, message, timestamp, null, null, null, null, false);
    }

    /** The push of a stored message: its normal priority and its own thread go as defaults. */
    public static Push of(Message stored) {
      return new Push(
          stored.id(),
          stored.seq(),
          stored.from(),
          stored.to(),
          stored.body(),
          Timestamps.format(stored.timestamp()),
          stored.thread(),
          stored.replyTo(),
          stored.subject(),
          stored.priority() == Priority.NORMAL ? null : stored.priority().id(),
          stored.ackRequired());
    }

    /**
     * The pushed message as the recipient holds it: {@code recipient} when the push names none, the
     * time it arrived when its timestamp is missing or unreadable, normal priority for one this
     * version does not know.
     *
     * @param handedAt when it was delivered and read, or null for neither
     */
    public Message toMessage(String recipient, Instant now, Instant handedAt) {
      Instant sentAt = now;
      if (timestamp != null) {
        try {
          sentAt = Timestamps.parse(timestamp);
        } catch (IllegalArgumentException unreadable) {
          // Shown with the time it arrived.
        }
      }
      Priority rank = Priority.NORMAL;
      if (priority != null) {
        try {
          rank = Priority.parse(priority);
        } catch (IllegalArgumentException newer) {
          // A newer server's priority: shown as normal.
        }
      }
      return new Message(
          id,
          seq,
          from,
          to == null ? recipient : to,
          message,
          sentAt,
          handedAt,
          handedAt,
          null,
          thread,
          replyTo,
          subject,
          rank,
          ackRequired,
          null);
    }
  }

  /**
   * The recipient acknowledged a message this agent sent. For a client of the original protocol,
   * {@code id} is the id it sent the message with.
   */
  record Delivered(String id, String clientId, String to, Long seq, String deliveredAt)
      implements ServerFrame {}

  /** The answer to {@code ping}: whether {@code agent} has a live receiving connection. */
  record Pong(String agent, Boolean online, long timestamp) implements ServerFrame {}

  /**
   * A request failed. {@code code} is stable; {@code ref} is the client id or message id of the
   * frame it answers. {@code error} and {@code id} repeat message and ref for clients of the
   * original protocol, which read those.
   */
  // JavaLangClash: named for its frame type; other files always write ServerFrame.Error.
  @SuppressWarnings("JavaLangClash")
  record Error(String code, String message, String ref, String error, String id)
      implements ServerFrame {
    public static Error of(String code, String message, String ref, boolean legacy) {
      return new Error(code, message, ref, legacy ? message : null, legacy ? ref : null);
    }
  }

  /** The answer to {@code list}: every registered agent, by name, at most the server's limit. */
  record Agents(String ref, List<Agent> agents, boolean truncated) implements ServerFrame {}

  /**
   * The answer to {@code history}: the matching messages, newest first, with their delivery state;
   * {@code truncated} when the server left some out to keep the frame small.
   */
  record History(String ref, List<Message> messages, boolean truncated) implements ServerFrame {}

  /**
   * The answer to {@code status}: the message {@code id}, or every copy of the fan-out {@code id}.
   */
  record Status(String ref, String id, List<Message> messages, boolean truncated)
      implements ServerFrame {}
}
