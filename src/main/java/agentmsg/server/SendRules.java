package agentmsg.server;

import agentmsg.AgentNames;
import agentmsg.MessageDraft;
import agentmsg.Priority;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.FrameException;
import agentmsg.server.SecurityCounters.Counter;
import java.nio.charset.StandardCharsets;

/**
 * The checks of a send before it is queued, the same for a WebSocket client's {@code send} frame
 * and the console's page: each failure is a {@link FrameException} with the wire's code.
 * Thread-safe.
 */
final class SendRules {
  private SendRules() {}

  /**
   * Throws the wire's error for the first rule {@code send} breaks; a message over the size limit
   * is counted in {@code counters}.
   */
  static void check(ClientFrame.Send send, ServerOptions options, SecurityCounters counters) {
    String ref = send.clientId();
    if (AgentNames.fansOut(send.to())) {
      // @all or @<group>: the writer fans it out as file mode does.
      if (!AgentNames.isValid(send.to().substring(1))) {
        throw new FrameException(
            "invalid-agent-name",
            "field 'to' is not @all, @<group> or a valid agent name: '"
                + send.to()
                + "' (use 1-64 of A-Z a-z 0-9 . _ -)",
            ref);
      }
    } else {
      requireName(send.to(), "to", ref);
    }
    if (ref != null && !AgentNames.isValid(ref)) {
      throw new FrameException(
          "invalid-id", "the client id must be 1-64 of [A-Za-z0-9._-] not starting with '.'", ref);
    }
    if (send.message().isEmpty()) {
      throw new FrameException("empty-message", "the message is empty", ref);
    }
    if (send.thread() != null && !AgentNames.isValid(send.thread())) {
      throw new FrameException("invalid-id", "field 'thread' is not a valid thread id", ref);
    }
    if (send.replyTo() != null && !AgentNames.isValid(send.replyTo())) {
      throw new FrameException("invalid-id", "field 'replyTo' is not a valid message id", ref);
    }
    if (send.subject() != null && send.subject().length() > MessageDraft.MAX_SUBJECT) {
      throw new FrameException(
          "invalid-field",
          "field 'subject' is over " + MessageDraft.MAX_SUBJECT + " characters",
          ref);
    }
    if (send.priority() != null) {
      try {
        Priority.parse(send.priority());
      } catch (IllegalArgumentException e) {
        throw new FrameException("invalid-field", e.getMessage(), ref);
      }
    }
    int size = send.message().getBytes(StandardCharsets.UTF_8).length;
    int limit = options.maxMessageBytes();
    if (size > limit) {
      counters.increment(Counter.TOO_LARGE);
      throw new FrameException(
          "message-too-large",
          "message is " + size + " bytes, over the limit of " + limit + " bytes",
          ref);
    }
  }

  static void requireName(String name, String field, String ref) {
    if (!AgentNames.isValid(name)) {
      throw new FrameException(
          "invalid-agent-name",
          "field '"
              + field
              + "' is not a valid agent name: '"
              + name
              + "' (use 1-64 of A-Z a-z 0-9 . _ -)",
          ref);
    }
  }
}
