package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.AgentMsgException;
import agentmsg.Message;
import agentmsg.MessageDraft;
import java.nio.charset.StandardCharsets;
import org.apache.commons.cli.Options;

/** {@code reply <message-id> <message>}: answers a message, in its thread, to its sender. */
final class ReplyCommand extends Command {
  @Override
  String name() {
    return "reply";
  }

  @Override
  String arguments() {
    return "<message-id> <message|->";
  }

  @Override
  String summary() {
    return "Reply to a message: to its sender, in its thread; prints the new id";
  }

  @Override
  String details() {
    return "The reply joins the original's thread, points to it (replyTo) and keeps its subject.\n"
        + "A message of '-' is read from standard input.";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(value("s", "from", "name", "Who replies (default: AGENT_MSG_AGENT, host name)"))
        .addOption(value(null, "subject", "text", "A subject line (default: the original's)"))
        .addOption(value(null, "priority", "level", "low, normal (default), high or urgent"))
        .addOption(flag(null, "ack-required", "Ask the recipient to ack it"))
        .addOption(value(null, "wait-read", "seconds", "Block until it is read; exit 3 if not"))
        .addOption(value(null, "wait-ack", "seconds", "Block until it is acked; exit 3 if not"))
        .addOption(value("i", "interval", "ms", "Safety-net re-check while waiting (2000)"));
  }

  @Override
  int run(Invocation invocation) throws Exception {
    String id = invocation.positional(0);
    if (id == null || invocation.positional().size() < 2) {
      throw new UsageException("reply takes a message id and a message");
    }
    invocation.allowPositional(2);
    String body = invocation.positional(1);
    if (body.equals("-")) {
      body = new String(invocation.in().readAllBytes(), StandardCharsets.UTF_8);
    }
    try (AgentMessenger messenger = invocation.messenger(null)) {
      Message original =
          messenger
              .message(id)
              .orElseThrow(
                  () ->
                      new AgentMsgException(
                          "unknown-message",
                          "no message with id '" + id + "' (see: agent-msg history)"));
      return SendCommand.sendDraft(
          invocation, messenger, MessageDraft.reply(original, messenger.agent(), body));
    }
  }
}
