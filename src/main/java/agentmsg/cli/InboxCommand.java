package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import org.apache.commons.cli.Options;

/**
 * {@code inbox [agent]}: unread messages, oldest first, then marked read; {@code --all}: history.
 */
final class InboxCommand extends Command {
  @Override
  String name() {
    return "inbox";
  }

  @Override
  String arguments() {
    return "[agent]";
  }

  @Override
  String summary() {
    return "Show unread messages (oldest first) and mark them read; --all shows the history";
  }

  @Override
  String details() {
    return "Reading never deletes a message: --all shows read ones too.";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(flag("a", "all", "Show all messages received, read ones too"))
        .addOption(value("n", "limit", "count", "With --all: only the newest <count> messages"))
        .addOption(
            flag(
                null, "urgent", "Only high and urgent messages (the others stay unread for later)"))
        .addOption(value("s", "from", "name", "The agent whose inbox to show, if none is given"));
  }

  @Override
  int run(Invocation invocation) {
    invocation.allowPositional(1);
    boolean all = invocation.line().hasOption("all");
    int limit =
        invocation.line().hasOption("limit")
            ? (int) invocation.longValue("limit", 1, Integer.MAX_VALUE)
            : Integer.MAX_VALUE;
    PrintStream out = invocation.out();
    try (AgentMessenger messenger = invocation.messenger(invocation.positional(0))) {
      List<Message> shown = all ? messenger.history(limit) : messenger.unread();
      if (invocation.line().hasOption("urgent")) {
        shown =
            shown.stream()
                .filter(message -> message.priority().compareTo(agentmsg.Priority.HIGH) >= 0)
                .toList();
      }
      List<Message> unread = shown.stream().filter(Message::unread).toList();
      // Printed first, marked read once printed: a caller gone before it saw them (a closed
      // pipe, a client of the store host killed) finds them unread next time.
      Instant readAt = Instant.now();
      // --all shows each message's state before this read, so the new ones stand out.
      List<Message> display = all ? shown : AgentMessenger.markedCopies(unread, readAt);
      if (!invocation.json()) {
        if (shown.isEmpty()) {
          out.println(
              (all ? "No messages for " : "No new messages for ") + messenger.agent() + ".");
          return ExitCodes.OK;
        }
        out.println(
            all
                ? Output.plural(shown.size(), "message") + " for " + messenger.agent() + ":"
                : Output.plural(shown.size(), "new message") + " for " + messenger.agent() + ":");
        out.println();
      }
      Output.heldMessages(out, display, messenger, invocation.json(), all);
      out.flush();
      if (out.checkError()) {
        invocation
            .err()
            .println("error[output-closed]: could not print the messages; none marked read");
        return ExitCodes.FAILED;
      }
      messenger.markRead(unread, readAt);
    }
    return ExitCodes.OK;
  }
}
