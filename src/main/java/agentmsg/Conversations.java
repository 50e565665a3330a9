package agentmsg;

import agentmsg.internal.Ids;
import agentmsg.internal.store.AgentRows;
import agentmsg.internal.store.GroupRows;
import agentmsg.internal.store.MessageRows;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** The rules of sending drafts: checks, fan-out to {@code @all} and groups, copy ids. Stateless. */
final class Conversations {
  /** The reserved fan-out name: every registered agent but the sender. */
  static final String ALL = "all";

  private Conversations() {}

  /** Checks a draft before anything is stored. */
  static void check(MessageDraft draft, int maxMessageBytes) {
    String to = draft.to();
    if (draft.fansOut()) {
      String group = to.substring(1);
      if (!group.equals(ALL)) {
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
    if (name.equals(ALL)) {
      throw new AgentMsgException(
          "invalid-name", "'all' is reserved for every agent (send @all); pick another group name");
    }
  }

  /** The recipients of a draft sent by {@code from}. */
  static List<String> recipients(Handle tx, MessageDraft draft, String from) {
    if (!draft.fansOut()) {
      if (!AgentRows.exists(tx, draft.to())) {
        throw new UnknownAgentException(draft.to());
      }
      return List.of(draft.to());
    }
    String group = draft.to().substring(1);
    List<String> candidates;
    if (group.equals(ALL)) {
      candidates = new ArrayList<>();
      for (Agent agent : AgentRows.all(tx)) {
        candidates.add(agent.name());
      }
    } else {
      requireGroup(tx, group);
      candidates = GroupRows.members(tx, group);
    }
    List<String> recipients = new ArrayList<>(candidates);
    recipients.remove(from);
    if (recipients.isEmpty()) {
      throw new AgentMsgException(
          "no-recipients",
          draft.to() + " has no one to send to but '" + from + "' (see: agent-msg list)");
    }
    return recipients;
  }

  /** Stores one copy per recipient; a fan-out's copies share one thread. */
  static List<Message> insert(
      Handle tx, MessageDraft draft, String from, List<String> recipients, long now) {
    String base = draft.id() != null ? draft.id() : Ids.newId();
    String thread = draft.thread() != null ? draft.thread() : draft.fansOut() ? base : null;
    MessageRows.Extras extras =
        new MessageRows.Extras(
            thread, draft.replyTo(), draft.subject(), draft.priority(), draft.ackRequired());
    List<Message> stored = new ArrayList<>(recipients.size());
    for (String to : recipients) {
      String id = draft.fansOut() ? copyId(base, to) : base;
      stored.add(MessageRows.insert(tx, id, from, to, draft.body(), now, extras));
    }
    return stored;
  }

  /**
   * The id of a fan-out's copy to {@code recipient}: {@code <base>.<recipient>}, stable so that a
   * resent fan-out stores nothing twice; shortened by a hash where it would pass 64 characters.
   */
  static String copyId(String base, String recipient) {
    String id = base + "." + recipient;
    if (id.length() <= 64) {
      return id;
    }
    String hash = Integer.toUnsignedString(recipient.hashCode(), 36);
    return base.substring(0, Math.min(base.length(), 64 - 1 - hash.length())) + "." + hash;
  }

  static void requireGroup(Handle handle, String name) {
    if (!GroupRows.exists(handle, name)) {
      throw new AgentMsgException(
          "unknown-group", "no group named '" + name + "' (see: agent-msg group list)");
    }
  }

  static void requireAgents(Handle handle, Collection<String> names) {
    for (String name : names) {
      AgentRows.requireRegistered(handle, AgentNames.requireValid(name));
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
