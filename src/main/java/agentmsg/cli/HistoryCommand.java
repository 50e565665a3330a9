package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.AgentNames;
import agentmsg.HistoryQuery;
import agentmsg.Message;
import java.time.Instant;
import java.util.List;
import org.apache.commons.cli.Options;

/** {@code history [agent]}: messages an agent sent or received, filtered, newest first. */
final class HistoryCommand extends Command {
  static final int DEFAULT_LIMIT = 50;

  @Override
  String name() {
    return "history";
  }

  @Override
  String arguments() {
    return "[agent]";
  }

  @Override
  String summary() {
    return "Search the messages an agent sent or received, newest first (indexed full text)";
  }

  @Override
  String details() {
    return """
        Times: relative (30m, 2h, 3d, 1w) or ISO-8601 (2026-11-24, 2026-11-24T10:00:00Z).
        --grep finds messages whose body or subject contain every word given, whole words,
        any case; a word is a run of letters and digits (\"v1.2\" is the words v1 and 2; words
        under 2 characters are ignored; Chinese or Japanese runs without spaces are one word).
        Marks nothing read.""";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(value(null, "with", "agent", "Only messages exchanged with this agent"))
        .addOption(value(null, "thread", "id", "Only messages of this thread"))
        .addOption(value(null, "since", "time", "Only messages stored at or after this time"))
        .addOption(value(null, "until", "time", "Only messages stored before this time"))
        .addOption(value(null, "grep", "words", "Only messages containing all these words"))
        .addOption(value("n", "limit", "count", "At most this many, the newest (default: 50)"))
        .addOption(value("s", "from", "name", "The agent whose history to show, if none is given"));
  }

  @Override
  int run(Invocation invocation) {
    invocation.allowPositional(1);
    var line = invocation.line();
    Instant now = Instant.now();
    int limit =
        line.hasOption("limit") ? (int) invocation.longValue("limit", 1, 100_000) : DEFAULT_LIMIT;
    HistoryQuery query = HistoryQuery.newest(limit);
    if (line.hasOption("with")) {
      query = query.withPeer(AgentNames.requireValid(line.getOptionValue("with")));
    }
    if (line.hasOption("thread")) {
      query = query.withThread(line.getOptionValue("thread"));
    }
    if (line.hasOption("since")) {
      query = query.withSince(TimeArgs.time("since", line.getOptionValue("since"), now));
    }
    if (line.hasOption("until")) {
      query = query.withUntil(TimeArgs.time("until", line.getOptionValue("until"), now));
    }
    if (line.hasOption("grep")) {
      String text = line.getOptionValue("grep");
      // Refused here, before the store is opened, as the store would refuse it.
      Invocation.userValue(() -> HistoryQuery.requireSearchable(text));
      query = query.withText(text);
    }
    try (AgentMessenger messenger = invocation.messenger(invocation.positional(0))) {
      List<Message> found = messenger.history(query);
      if (!invocation.json()) {
        if (found.isEmpty()) {
          invocation.out().println("No messages found for " + messenger.agent() + ".");
          return ExitCodes.OK;
        }
        invocation
            .out()
            .println(
                Output.plural(found.size(), "message")
                    + " of "
                    + messenger.agent()
                    + ", newest first (messages between agents):");
        invocation.out().println();
      }
      Listing.messages(invocation.out(), found, invocation.json());
    }
    return ExitCodes.OK;
  }
}
