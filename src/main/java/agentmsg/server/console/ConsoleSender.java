package agentmsg.server.console;

import agentmsg.AgentMsgException;
import agentmsg.AgentNames;
import agentmsg.Message;
import agentmsg.internal.store.ConsoleStore;
import agentmsg.internal.store.StoredMessage;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.FrameException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends from the page as a person, through the server's own {@link SendPath}: a send a WebSocket
 * client would have made, checked by the same rules and answered with the same error codes, stored
 * in the same group commit and pushed at once to a connected recipient. The sender is registered as
 * a {@code human} agent first if it is new; a reply is addressed as {@code agent-msg reply}
 * addresses it (to the original's other party, in its thread, with its subject). Thread-safe.
 */
final class ConsoleSender {
  private final ConsoleStore store;
  private final SendPath path;

  ConsoleSender(ConsoleStore store, SendPath path) {
    this.store = store;
    this.path = path;
  }

  CompletableFuture<List<Message>> send(JsonNode request) {
    String from = text(request, "from");
    String to = text(request, "to");
    String replyTo = text(request, "replyTo");
    String subject = text(request, "subject");
    String priority = text(request, "priority");
    // The body as typed: the wire refuses an empty one, and keeps one of blanks.
    String body = request.path("body").isTextual() ? request.path("body").asText() : "";
    String thread = null;
    if (from == null) {
      throw new FrameException("missing-field", "missing field 'from' (who sends)");
    }
    if (!AgentNames.isValid(from)) {
      throw new FrameException(
          "invalid-agent-name",
          "field 'from' is not a valid agent name: '" + from + "' (use 1-64 of A-Z a-z 0-9 . _ -)");
    }
    if (replyTo != null && AgentNames.isValid(replyTo)) {
      Message original =
          store
              .stored(replyTo)
              .map(StoredMessage::message)
              .orElseThrow(
                  () ->
                      new AgentMsgException(
                          "unknown-message", "no message with id '" + replyTo + "' to reply to"));
      to = original.from().equals(from) ? original.to() : original.from();
      thread = original.thread();
      subject = subject != null ? subject : original.subject();
    }
    if (to == null) {
      throw new FrameException("missing-field", "missing field 'to'");
    }
    ClientFrame.Send frame =
        new ClientFrame.Send(
            null, from, to, body, thread, replyTo, false, priority, subject, false);
    path.check(from, frame); // before the sender is registered: a refused send leaves no trace
    long now = System.currentTimeMillis();
    store.registerHumanIfAbsent(from, now);
    return path.send(from, frame);
  }

  private static String text(JsonNode request, String field) {
    JsonNode value = request.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    String text = value.asText();
    return text.isBlank() ? null : text;
  }
}
