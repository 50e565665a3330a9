package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.AgentMsgException;
import agentmsg.Message;
import java.util.List;
import org.apache.commons.cli.Options;

/** {@code thread <id>}: a whole thread, oldest first. */
final class ThreadCommand extends Command {
  @Override
  String name() {
    return "thread";
  }

  @Override
  String arguments() {
    return "<id>";
  }

  @Override
  String summary() {
    return "Print a whole thread in order (a thread id or any message id in it)";
  }

  @Override
  String details() {
    return "Shows every message of the thread with its state; marks nothing read.";
  }

  @Override
  Options options() {
    return new Options();
  }

  @Override
  int run(Invocation invocation) {
    String id = invocation.positional(0);
    if (id == null) {
      throw new UsageException("missing thread or message id");
    }
    invocation.allowPositional(1);
    try (AgentMessenger messenger = invocation.messenger(null)) {
      List<Message> thread = messenger.thread(id);
      if (thread.isEmpty()) {
        throw new AgentMsgException(
            "unknown-message",
            "no thread or message with id '" + id + "' (see: agent-msg history)");
      }
      if (!invocation.json()) {
        invocation
            .out()
            .println(
                "Thread "
                    + thread.get(0).thread()
                    + ": "
                    + Output.plural(thread.size(), "message")
                    + " (messages between agents, oldest first):");
        invocation.out().println();
      }
      Listing.messages(invocation.out(), thread, invocation.json());
    }
    return ExitCodes.OK;
  }
}
