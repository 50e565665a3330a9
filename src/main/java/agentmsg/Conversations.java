package agentmsg;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The rules of sending drafts: checks, recipients, copies. The rules of a fan-out (who gets a copy,
 * the copies' ids and thread) are {@link FanOut}'s, which the server applies too. Stateless.
 */
final class Conversations {
  private Conversations() {}

  /** Checks a draft before anything is stored. */
  static void check(MessageDraft draft, int maxMessageBytes) {
    String to = draft.to();
    if (draft.fansOut()) {
      String group = AgentNames.nameIn(to);
      if (!group.equals(AgentNames.ALL)) {
        AgentNames.requireValid(group);
      }
    } else {
      AgentNames.requireValid(to);
    }
    requireId(draft.id(), "message id");
    requireId(draft.thread(), "thread id");
    requireId(draft.replyTo(), "reply-to id");
    if (draft.subject() != null && draft.subject().length() > MessageDraft.MAX_SUBJECT) {
      throw new InvalidMessageException(
          "invalid-subject", "the subject is over " + MessageDraft.MAX_SUBJECT + " characters");
    }
    String body = draft.body();
    if (body == null || body.isEmpty()) {
      throw new InvalidMessageException("empty-message", "the message is empty");
    }
    int size = body.getBytes(StandardCharsets.UTF_8).length;
    if (size > maxMessageBytes) {
      throw new MessageTooLargeException(size, maxMessageBytes);
    }
  }

  private static void requireId(String id, String what) {
    if (id != null && !AgentNames.isValid(id)) {
      throw new InvalidMessageException(
          "invalid-id", "invalid " + what + " '" + id + "': use 1-64 of A-Z a-z 0-9 . _ -");
    }
  }

  /** Checks a group name: the agent-name rule, and not {@code all}. */
  static void checkGroupName(String name) {
    AgentNames.requireValid(name);
    if (name.equals(AgentNames.ALL)) {
      throw new AgentMsgException(
          "invalid-name", "'all' is reserved for every agent (send @all); pick another group name");
    }
  }

  /** {@code message} as acked (and read, if it was not) at {@code at}. */
  static Message acked(Message message, Instant at) {
    return new Message(
        message.id(),
        message.seq(),
        message.from(),
        message.to(),
        message.body(),
        message.timestamp(),
        message.deliveredAt(),
        message.readAt() != null ? message.readAt() : at,
        at,
        message.thread(),
        message.replyTo(),
        message.subject(),
        message.priority(),
        message.ackRequired(),
        message.surfacedAt());
  }
}
