package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.InboxReader;
import agentmsg.Message;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.cli.Options;

/**
 * {@code demo}: two agents in a temporary data home exchange messages through the real store and
 * mirror, each waiting on its inbox watch, and the time from send to wake-up is measured.
 */
final class DemoCommand extends Command {
  private static final String[][] SCRIPT = {
    {"alice", "bob", "Can you run the tests on your branch?"},
    {"bob", "alice", "Running them now."},
    {"bob", "alice", "All 212 pass. One is slow: StoreIT, 4 s."},
    {"alice", "bob", "Thanks! I will look at StoreIT."},
  };

  @Override
  String name() {
    return "demo";
  }

  @Override
  String arguments() {
    return "";
  }

  @Override
  String summary() {
    return "Two agents exchange messages in a temporary home; prints the measured wake-up time";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(value("n", "rounds", "count", "Messages to time after the script (default: 50)"))
        .addOption(flag(null, "keep", "Keep the temporary data home instead of deleting it"));
  }

  @Override
  int run(Invocation invocation) throws Exception {
    invocation.allowPositional(0);
    int rounds =
        invocation.line().hasOption("rounds")
            ? (int) invocation.longValue("rounds", 1, 100_000)
            : 50;
    PrintStream out = invocation.out();
    Path home = Files.createTempDirectory("agent-msg-demo-");
    ExecutorService readers =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "agent-msg-demo-reader");
              thread.setDaemon(true);
              return thread;
            });
    try (AgentMessenger alice = open(home, "alice");
        AgentMessenger bob = open(home, "bob");
        InboxReader aliceInbox = inbox(alice, AgentType.CLAUDE_CODE);
        InboxReader bobInbox = inbox(bob, AgentType.CODEX)) {
      out.println("Data home: " + home);
      out.println("Registered alice (claude-code) and bob (codex); each waits on its inbox.");
      out.println();
      for (String[] line : SCRIPT) {
        boolean fromAlice = line[0].equals("alice");
        double millis =
            exchange(
                fromAlice ? alice : bob,
                fromAlice ? bobInbox : aliceInbox,
                line[1],
                line[2],
                readers);
        out.printf(
            "%-5s -> %-5s  %-45s woke %s in %.2f ms%n", line[0], line[1], line[2], line[1], millis);
        out.flush();
      }
      List<Double> times = new ArrayList<>(rounds);
      for (int i = 0; i < rounds; i++) {
        times.add(exchange(alice, bobInbox, "bob", "timing message " + (i + 1), readers));
      }
      Collections.sort(times);
      out.println();
      out.printf(
          "Send -> commit -> sync -> mirror file -> watcher wake-up -> read, over %d messages:%n",
          rounds);
      out.printf(
          "  median %.2f ms, p90 %.2f ms, max %.2f ms%n",
          percentile(times, 50), percentile(times, 90), times.get(times.size() - 1));
      out.println("(The original tool polls every 2000 ms.)");
      out.println();
      out.println(
          "bob's history now: "
              + bob.history(Integer.MAX_VALUE).size()
              + " messages, none deleted.");
    } finally {
      readers.shutdownNow();
      readers.awaitTermination(5, TimeUnit.SECONDS);
      if (!invocation.line().hasOption("keep")) {
        deleteTree(home);
      } else {
        out.println("Kept the data home: AGENT_MSG_HOME=" + home + " agent-msg inbox bob --all");
      }
    }
    return ExitCodes.OK;
  }

  private static AgentMessenger open(Path home, String agent) {
    return AgentMessenger.open(agentmsg.Options.builder().home(home).agent(agent).build());
  }

  private static InboxReader inbox(AgentMessenger messenger, AgentType type) {
    messenger.register(type);
    return messenger.openInbox();
  }

  /** Sends one message and returns the milliseconds until the recipient's reader had it. */
  private static double exchange(
      AgentMessenger sender, InboxReader recipient, String to, String text, ExecutorService readers)
      throws Exception {
    Future<Long> woke =
        readers.submit(
            () -> {
              List<Message> got = recipient.next(Duration.ofSeconds(10));
              long at = System.nanoTime();
              if (got.isEmpty()) {
                throw new IllegalStateException("no message within 10 s");
              }
              recipient.markRead(got);
              return at;
            });
    long start = System.nanoTime();
    sender.send(to, text);
    return (woke.get(15, TimeUnit.SECONDS) - start) / 1e6;
  }

  private static double percentile(List<Double> sorted, int percent) {
    int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
