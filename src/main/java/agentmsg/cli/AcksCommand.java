package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.commons.cli.Options;

/** {@code acks pending [agent]}: acks an agent owes, and acks owed to it, with their ages. */
final class AcksCommand extends Command {
  @Override
  String name() {
    return "acks";
  }

  @Override
  String arguments() {
    return "pending [agent]";
  }

  @Override
  String summary() {
    return "List messages waiting for an ack: those you owe and those owed to you, with ages";
  }

  @Override
  String details() {
    return "--json adds \"waitingFor\" (\"you\" or \"them\") and \"ageSeconds\" to each message line.";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(value("s", "from", "name", "The agent to look at, if none is given"));
  }

  @Override
  int run(Invocation invocation) {
    if (!"pending".equals(invocation.positional(0))) {
      throw new UsageException("use: agent-msg acks pending [agent]");
    }
    invocation.allowPositional(2);
    PrintStream out = invocation.out();
    Instant now = Instant.now();
    try (AgentMessenger messenger = invocation.messenger(invocation.positional(1))) {
      String me = messenger.agent();
      List<Message> pending = messenger.pendingAcks();
      List<Message> owed = pending.stream().filter(m -> m.to().equals(me)).toList();
      List<Message> owing = pending.stream().filter(m -> !m.to().equals(me)).toList();
      if (invocation.json()) {
        for (Message message : owed) {
          out.println(Listing.jsonWith(message, fields("you", message, now)));
        }
        for (Message message : owing) {
          out.println(Listing.jsonWith(message, fields("them", message, now)));
        }
        return ExitCodes.OK;
      }
      if (pending.isEmpty()) {
        out.println("Nothing is waiting for an ack from or to " + me + ".");
        return ExitCodes.OK;
      }
      if (!owed.isEmpty()) {
        out.println(me + " has to ack " + Output.plural(owed.size(), "message") + ":");
        for (Message message : owed) {
          out.println(
              "  "
                  + message.id()
                  + " from "
                  + message.from()
                  + ", "
                  + age(message, now)
                  + " old: "
                  + Listing.preview(message.body(), 60));
        }
        out.println("  (ack with: agent-msg ack <id>... -s " + me + ")");
      }
      if (!owing.isEmpty()) {
        out.println("Others owe " + me + " " + Output.plural(owing.size(), "ack") + ":");
        for (Message message : owing) {
          out.println(
              "  "
                  + message.id()
                  + " to "
                  + message.to()
                  + ", "
                  + age(message, now)
                  + " old, "
                  + message.status().id()
                  + ": "
                  + Listing.preview(message.body(), 60));
        }
      }
    }
    return ExitCodes.OK;
  }

  private static String age(Message message, Instant now) {
    return TimeArgs.describe(Duration.between(message.timestamp(), now));
  }

  private static String fields(String waitingFor, Message message, Instant now) {
    return "\"waitingFor\":\""
        + waitingFor
        + "\",\"ageSeconds\":"
        + Math.max(0, Duration.between(message.timestamp(), now).toSeconds());
  }
}
