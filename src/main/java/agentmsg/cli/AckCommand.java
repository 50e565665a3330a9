package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.cli.Options;

/** {@code ack <id>...}: the recipient acknowledges messages. */
final class AckCommand extends Command {
  @Override
  String name() {
    return "ack";
  }

  @Override
  String arguments() {
    return "<id>...";
  }

  @Override
  String summary() {
    return "Acknowledge messages sent to you (an ack implies read); wakes a --wait-ack sender";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(value("s", "from", "name", "Who acks (default: AGENT_MSG_AGENT, host name)"));
  }

  @Override
  int run(Invocation invocation) {
    List<String> ids = invocation.positional();
    if (ids.isEmpty()) {
      throw new UsageException("missing message id");
    }
    try (AgentMessenger messenger = invocation.messenger(null)) {
      List<Message> acked = messenger.ack(ids);
      Set<String> changed = new HashSet<>();
      for (Message message : acked) {
        changed.add(message.id());
        if (invocation.json()) {
          invocation.out().println(agentmsg.json.MessageJson.toLine(message));
        } else {
          invocation.out().println("Acked " + message.id() + " from " + message.from());
        }
      }
      if (!invocation.json()) {
        for (String id : new java.util.LinkedHashSet<>(ids)) {
          if (!changed.contains(id)) {
            invocation.out().println(id + " was acked already");
          }
        }
      }
    }
    return ExitCodes.OK;
  }
}
