package agentmsg.server.console;

import agentmsg.AgentMessenger;
import agentmsg.AgentNames;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.Options;
import agentmsg.Priority;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Sends from the page as a person: the sender is registered as a {@code human} agent if it is new,
 * and the message goes through the library's send, with the checks of {@code agent-msg send}
 * (names, size, subject, priority). It lands in the store and the mirror like a file-mode send, so
 * the server pushes it to a connected recipient as it pushes any other. Thread-safe.
 */
final class ConsoleSender {
  private final Path home;
  private final Duration storeTimeout;

  ConsoleSender(Path home, Duration storeTimeout) {
    this.home = home;
    this.storeTimeout = storeTimeout;
  }

  List<Message> send(JsonNode request) {
    String from = text(request, "from");
    String body = text(request, "body");
    String to = text(request, "to");
    String replyTo = text(request, "replyTo");
    String subject = text(request, "subject");
    String priority = text(request, "priority");
    if (from == null) {
      throw new IllegalArgumentException("missing who sends (from)");
    }
    AgentNames.requireValid(from);
    if (body == null) {
      throw new IllegalArgumentException("missing the message (body)");
    }
    Options options = Options.builder().home(home).agent(from).storeTimeout(storeTimeout).build();
    try (AgentMessenger messenger = AgentMessenger.open(options)) {
      if (messenger.findAgent(from).isEmpty()) {
        messenger.register(from, AgentType.HUMAN);
      }
      MessageDraft draft;
      if (replyTo != null) {
        Message original =
            messenger
                .message(replyTo)
                .orElseThrow(
                    () -> new IllegalArgumentException("no message with id '" + replyTo + "'"));
        draft = MessageDraft.reply(original, from, body);
      } else {
        if (to == null) {
          throw new IllegalArgumentException("missing the recipient (to)");
        }
        draft = MessageDraft.to(to, body);
      }
      if (subject != null) {
        draft = draft.withSubject(subject);
      }
      if (priority != null) {
        draft = draft.withPriority(Priority.parse(priority));
      }
      return messenger.send(draft);
    }
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
