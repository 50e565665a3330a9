package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.InboxReader;
import agentmsg.Message;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.commons.cli.Options;

/**
 * {@code poll [agent]}: prints unread messages, then each new one the moment it lands, until
 * stopped. Each message is flushed as it is printed and marked read only once printed.
 */
final class PollCommand extends Command {
  @Override
  String name() {
    return "poll";
  }

  @Override
  String arguments() {
    return "[agent]";
  }

  @Override
  String summary() {
    return "Print unread messages, then each new one the instant it lands, until stopped";
  }

  @Override
  String details() {
    return "Wakes on file events in the inbox folder; -i is only a safety net for file systems\n"
        + "without events. Stop it with Ctrl-C or SIGTERM. Messages are marked read once printed.";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(
            value("i", "interval", "ms", "Safety-net re-check interval in ms (default: 2000)"))
        .addOption(value("s", "from", "name", "The agent whose inbox to poll, if none is given"));
  }

  @Override
  // "try": the shutdown hook closes the reader early to stop the loop; close is idempotent.
  @SuppressWarnings("try")
  int run(Invocation invocation) throws InterruptedException {
    invocation.allowPositional(1);
    PrintStream out = invocation.out();
    try (AgentMessenger messenger = invocation.longLivedMessenger(invocation.positional(0));
        InboxReader reader = messenger.openInbox()) {
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                reader.close();
                try {
                  // Let the loop finish marking what it printed, then let the JVM go.
                  stopped.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "agent-msg-poll-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      if (!invocation.json()) {
        invocation
            .err()
            .println("Polling the inbox of " + messenger.agent() + " (Ctrl-C to stop)...");
      }
      try {
        while (true) {
          List<Message> batch = reader.next(Duration.ofDays(365));
          if (batch.isEmpty()) {
            return ExitCodes.OK; // closed by the shutdown hook
          }
          Instant readAt = Instant.now();
          Output.messages(
              out, AgentMessenger.markedCopies(batch, readAt), invocation.json(), false);
          if (out.checkError()) {
            invocation.err().println("error[output-closed]: standard output was closed; stopping");
            return ExitCodes.FAILED;
          }
          reader.markRead(batch, readAt);
        }
      } finally {
        stopped.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running; it only waits for the latch above.
        }
      }
    }
  }
}
