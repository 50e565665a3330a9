package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.InboxReader;
import agentmsg.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.commons.cli.Options;

/**
 * {@code wait [agent] --timeout <s>}: blocks until at least one unread message exists, prints the
 * unread ones and marks them read; exit 3 with nothing printed on timeout.
 */
final class WaitCommand extends Command {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  @Override
  String name() {
    return "wait";
  }

  @Override
  String arguments() {
    return "[agent]";
  }

  @Override
  String summary() {
    return "Block until a message arrives, print the unread ones; exit 3 on timeout";
  }

  @Override
  String details() {
    return "The way for an agent to wait for a reply without spending tokens on polling.\n"
        + "The watch is in place before the first check, so nothing arriving in between is missed.";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(
            value(
                null, "timeout", "seconds", "Give up after this long (default: 60; 0: just check)"))
        .addOption(
            value("i", "interval", "ms", "Safety-net re-check interval in ms (default: 2000)"))
        .addOption(
            value("s", "from", "name", "The agent whose inbox to wait on, if none is given"));
  }

  @Override
  int run(Invocation invocation) throws InterruptedException {
    invocation.allowPositional(1);
    Duration timeout = invocation.secondsValue("timeout", DEFAULT_TIMEOUT, 7 * 24 * 3600);
    try (AgentMessenger messenger = invocation.longLivedMessenger(invocation.positional(0));
        InboxReader reader = messenger.openInbox()) {
      List<Message> batch = reader.next(timeout);
      if (batch.isEmpty()) {
        if (!invocation.json()) {
          invocation
              .err()
              .println(
                  "No message for " + messenger.agent() + " within " + describe(timeout) + ".");
        }
        return ExitCodes.TIMEOUT;
      }
      Instant readAt = Instant.now();
      Output.messages(
          invocation.out(), AgentMessenger.markedCopies(batch, readAt), invocation.json(), false);
      reader.markRead(batch, readAt);
      return ExitCodes.OK;
    }
  }

  private static String describe(Duration timeout) {
    long millis = timeout.toMillis();
    return millis % 1000 == 0 ? (millis / 1000) + " s" : millis + " ms";
  }
}
