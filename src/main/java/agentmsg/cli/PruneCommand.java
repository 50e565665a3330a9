package agentmsg.cli;

import agentmsg.DataHome;
import agentmsg.Options;
import agentmsg.internal.mailbox.Housekeeping;
import java.time.Instant;
import org.apache.commons.cli.Option;

/** {@code prune --older-than <age>}: deletes old read messages and their mirror files. */
final class PruneCommand extends Command {
  @Override
  String name() {
    return "prune";
  }

  @Override
  String arguments() {
    return "--older-than <age>";
  }

  @Override
  String summary() {
    return "Delete messages older than an age that were read (and acked where asked), with files";
  }

  @Override
  String details() {
    return "Unread messages, and read ones still waiting for a requested ack, are kept unless\n"
        + "--include-unread. Ages: 90m, 12h, 30d, 4w (or ISO-8601 like P30D). Prints counts.";
  }

  @Override
  org.apache.commons.cli.Options options() {
    return new org.apache.commons.cli.Options()
        .addOption(
            Option.builder()
                .longOpt("older-than")
                .hasArg()
                .argName("age")
                .desc("Only messages stored longer ago than this (required)")
                .get())
        .addOption(flag(null, "dry-run", "Only count what would be deleted"))
        .addOption(flag(null, "include-unread", "Delete unread and unacked old messages too"));
  }

  @Override
  int run(Invocation invocation) {
    invocation.allowPositional(0);
    if (!invocation.line().hasOption("older-than")) {
      throw new UsageException("missing --older-than <age> (e.g. 30d)");
    }
    Instant cutoff =
        Instant.now()
            .minus(TimeArgs.age("older-than", invocation.line().getOptionValue("older-than")));
    boolean dryRun = invocation.line().hasOption("dry-run");
    boolean includeUnread = invocation.line().hasOption("include-unread");
    Options options = invocation.options(null);
    Housekeeping.PruneResult result;
    try (DataHome dataHome = Invocation.dataHome(options)) {
      result = dataHome.housekeeping().prune(cutoff, includeUnread, dryRun);
    }
    if (invocation.json()) {
      invocation
          .out()
          .println(
              "{\"dryRun\":"
                  + dryRun
                  + ",\"messages\":"
                  + result.messages()
                  + ",\"files\":"
                  + result.files()
                  + ",\"kept\":"
                  + result.keptUnread()
                  + "}");
    } else {
      invocation
          .out()
          .println(
              (dryRun ? "Would delete " : "Deleted ")
                  + Output.plural(result.messages(), "message")
                  + " and "
                  + Output.plural(result.files(), "mirror file")
                  + "; kept "
                  + result.keptUnread()
                  + " older unread or unacked"
                  + (includeUnread ? "" : " (--include-unread deletes them too)"));
    }
    return ExitCodes.OK;
  }
}
