package agentmsg;

import java.util.Objects;

/**
 * A message to send with {@link AgentMessenger#send(MessageDraft)}: the recipient, the body and the
 * optional conversation fields. Immutable; the {@code with...} methods return changed copies.
 *
 * @param to an agent name, {@code @all} (every registered agent but the sender) or {@code @<group>}
 *     (the group's members but the sender)
 * @param body the text
 * @param id the message id to use (sending again with it stores nothing new), or null for a new
 *     one; for {@code @all} and groups, each copy's id is derived from it and the recipient
 * @param thread the thread to join, or null to start one
 * @param replyTo the id of the message answered, or null
 * @param subject a subject line (at most 1,000 characters), or null
 * @param priority how important it is
 * @param ackRequired whether the recipient is asked to acknowledge it ({@code agent-msg ack})
 */
public record MessageDraft(
    String to,
    String body,
    String id,
    String thread,
    String replyTo,
    String subject,
    Priority priority,
    boolean ackRequired) {
  /** The longest subject the store keeps. */
  public static final int MAX_SUBJECT = 1_000;

  public MessageDraft {
    Objects.requireNonNull(to, "to");
    if (priority == null) {
      priority = Priority.NORMAL;
    }
  }

  /** A message of normal priority that starts its own thread. */
  public static MessageDraft to(String to, String body) {
    return new MessageDraft(to, body, null, null, null, null, Priority.NORMAL, false);
  }

  /**
   * A reply to {@code original} by {@code replier}: to the original's sender (or, when the replier
   * sent the original, to its recipient), in its thread, with its subject.
   */
  public static MessageDraft reply(Message original, String replier, String body) {
    String to = original.from().equals(replier) ? original.to() : original.from();
    return new MessageDraft(
        to,
        body,
        null,
        original.thread(),
        original.id(),
        original.subject(),
        Priority.NORMAL,
        false);
  }

  /** Whether it goes to several agents ({@code @all} or a group). */
  public boolean fansOut() {
    return AgentNames.fansOut(to);
  }

  public MessageDraft withId(String value) {
    return new MessageDraft(to, body, value, thread, replyTo, subject, priority, ackRequired);
  }

  public MessageDraft withThread(String value) {
    return new MessageDraft(to, body, id, value, replyTo, subject, priority, ackRequired);
  }

  public MessageDraft withSubject(String value) {
    return new MessageDraft(to, body, id, thread, replyTo, value, priority, ackRequired);
  }

  public MessageDraft withPriority(Priority value) {
    return new MessageDraft(to, body, id, thread, replyTo, subject, value, ackRequired);
  }

  public MessageDraft withAckRequired(boolean value) {
    return new MessageDraft(to, body, id, thread, replyTo, subject, priority, value);
  }
}
