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
    return """
        Shows every message of the thread with its state; marks nothing read.
        --hold-after <n> gives the thread its own loop guard limit (agent messages in a row
        with no human in between; 0: never held; 'default': the default again), which
        releases it if it is held under a lower one.""";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(
            value(
                null,
                "hold-after",
                "n",
                "The thread's own loop guard limit: 2 to "
                    + agentmsg.Options.MAX_LOOP_LIMIT
                    + ", 0 (never held) or 'default'"));
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
      String threadId = thread.get(0).thread();
      if (invocation.line().hasOption("hold-after")) {
        return holdAfter(invocation, messenger, threadId);
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
      if (!invocation.json() && !messenger.heldThreads(List.of(threadId)).isEmpty()) {
        String notice = agentmsg.Sent.heldNotice(threadId, 0);
        invocation.out().println(Character.toUpperCase(notice.charAt(0)) + notice.substring(1));
      }
    }
    return ExitCodes.OK;
  }

  private static int holdAfter(Invocation invocation, AgentMessenger messenger, String thread) {
    String text = invocation.line().getOptionValue("hold-after").trim();
    Integer limit;
    if (text.equals("default")) {
      limit = null;
    } else {
      try {
        limit = agentmsg.Options.Builder.parseLoopLimit("--hold-after", text);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage() + " (or 'default')");
      }
    }
    int run = messenger.holdAfter(thread, limit);
    boolean held = !messenger.heldThreads(List.of(thread)).isEmpty();
    if (invocation.json()) {
      invocation
          .out()
          .println(
              "{\"thread\":"
                  + Output.quote(thread)
                  + ",\"holdAfter\":"
                  + (limit == null ? "null" : limit)
                  + ",\"run\":"
                  + run
                  + ",\"held\":"
                  + held
                  + "}");
    } else {
      invocation
          .out()
          .println(
              "Thread "
                  + thread
                  + ": "
                  + (limit == null
                      ? "the default loop guard limit"
                      : limit == 0
                          ? "never held"
                          : "held after " + limit + " agent messages in a row")
                  + "; "
                  + run
                  + " in a row now"
                  + (held ? "; held (a message from a human releases it)" : "; not held"));
    }
    return ExitCodes.OK;
  }
}
