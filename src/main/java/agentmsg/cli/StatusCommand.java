package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.AgentMsgException;
import agentmsg.Message;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.Options;

/** {@code status <id>...}: what became of messages, per recipient, with every receipt's time. */
final class StatusCommand extends Command {
  @Override
  String name() {
    return "status";
  }

  @Override
  String arguments() {
    return "<id>...";
  }

  @Override
  String summary() {
    return "Show what became of a message: its state and receipts per recipient";
  }

  @Override
  String details() {
    return """
        States: stored -> delivered -> read -> acked; 'surfaced' means the recipient's hook
        put it into its model's context. For the shared id of an @all or group send (its
        thread id), every copy is shown.""";
  }

  @Override
  Options options() {
    return new Options();
  }

  @Override
  int run(Invocation invocation) {
    List<String> ids = invocation.positional();
    if (ids.isEmpty()) {
      throw new UsageException("missing message id");
    }
    List<Message> found = new ArrayList<>();
    try (AgentMessenger messenger = invocation.messenger(null)) {
      for (String id : ids) {
        List<Message> copies = messenger.status(id);
        if (copies.isEmpty()) {
          throw new AgentMsgException(
              "unknown-message", "no message with id '" + id + "' (see: agent-msg history)");
        }
        found.addAll(copies);
      }
    }
    PrintStream out = invocation.out();
    for (Message message : found) {
      if (invocation.json()) {
        out.println(agentmsg.json.MessageJson.toLine(message));
      } else {
        out.println(
            message.id()
                + " "
                + message.from()
                + " -> "
                + message.to()
                + ": "
                + message.status().id()
                + (message.ackRequired() && message.ackedAt() == null ? " (ack required)" : ""));
        out.println("  " + Listing.receipts(message));
      }
    }
    return ExitCodes.OK;
  }
}
