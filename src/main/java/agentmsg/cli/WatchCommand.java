package agentmsg.cli;

import agentmsg.AgentMessenger;
import agentmsg.InboxReader;
import agentmsg.Message;
import agentmsg.internal.host.WatchMark;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.cli.Options;

/**
 * {@code watch <agent>}: the wake path of an idle agent. A background task (or a CLI's hook or
 * plugin) arms it; it parks until mail the agent was not woken for arrives, then exits with a short
 * digest and the line that arms it again. It reads nothing: the agent reads with {@code inbox}.
 */
final class WatchCommand extends Command {
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
  static final long MAX_TIMEOUT_SECONDS = 24 * 3600;

  /** Claude Code's {@code asyncRewake}: a background hook that exits 2 wakes the session. */
  static final int REWAKE = 2;

  @Override
  String name() {
    return "watch";
  }

  @Override
  String arguments() {
    return "[agent]";
  }

  @Override
  String summary() {
    return "Park until new mail arrives, print a digest and the line to re-arm; exit 3 on timeout";
  }

  @Override
  String details() {
    return """
        For background tasks and monitors that wake an idle agent. Marks nothing read.
        Wakes once per message: a watermark in the data home remembers the highest message
        it woke the agent for, and read mail never wakes it. One watcher per agent and
        --session is armed at a time; a second one says so and exits 4.
        --rewake (Claude Code's Stop hook with asyncRewake): the digest goes to stderr and the
        exit code is 2 when mail came, 0 otherwise, so only mail wakes the session.""";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(
            value(
                null,
                "timeout",
                "seconds",
                "Hard maximum lifetime (default: 600, at most " + MAX_TIMEOUT_SECONDS + ")"))
        .addOption(value(null, "session", "id", "The session this watcher serves (default: one)"))
        .addOption(flag(null, "rewake", "Exit 2 with the digest on stderr when mail came"))
        .addOption(
            value("i", "interval", "ms", "Safety-net re-check interval in ms (default: 2000)"))
        .addOption(value("s", "from", "name", "The agent to watch, if none is given"));
  }

  @Override
  int run(Invocation invocation) throws InterruptedException, IOException {
    invocation.allowPositional(1);
    Duration timeout = invocation.secondsValue("timeout", DEFAULT_TIMEOUT, MAX_TIMEOUT_SECONDS);
    String session = invocation.line().getOptionValue("session", "default");
    if (!session.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new UsageException("--session takes letters, digits, '.', '_' or '-' (at most 64)");
    }
    boolean rewake = invocation.line().hasOption("rewake");
    PrintStream out = invocation.out();
    try (AgentMessenger messenger = invocation.longLivedMessenger(invocation.positional(0))) {
      String agent = messenger.agent();
      Path home = messenger.options().home();
      String rearm = rearm(invocation, agent, session, rewake);
      WatchMark mark = WatchMark.arm(home, agent, session);
      if (mark == null) {
        String holder = WatchMark.holder(home, agent, session);
        if (invocation.json()) {
          out.println(
              "{\"agent\":"
                  + Output.quote(agent)
                  + ",\"armed\":false,\"pid\":"
                  + Output.quote(holder)
                  + "}");
        } else {
          invocation
              .err()
              .println(
                  "A watcher for "
                      + agent
                      + " (session "
                      + session
                      + ") is armed already (pid "
                      + holder
                      + "); it will wake the agent.");
        }
        return ExitCodes.ALREADY_ARMED;
      }
      // Senders see the armed watcher as the agent's wake path (their send's recipient health).
      java.io.Closeable armed = watching(messenger, mark, timeout);
      try (mark;
          armed;
          InboxReader reader = messenger.openInbox()) {
        long watermark = WatchMark.watermark(home, agent);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
          long remaining = deadline - System.nanoTime();
          List<Message> batch = reader.next(Duration.ofNanos(Math.max(0, remaining)));
          List<Message> fresh = new ArrayList<>();
          for (Message message : batch) {
            if (message.seq() > watermark) {
              fresh.add(message);
            }
          }
          if (!fresh.isEmpty()) {
            String digest = digest(invocation, agent, fresh, rearm);
            PrintStream target = rewake ? invocation.err() : out;
            target.println(digest);
            target.flush();
            if (target.checkError()) {
              return ExitCodes.FAILED; // not shown: the next watcher wakes for it
            }
            long highest = fresh.stream().mapToLong(Message::seq).max().orElse(watermark);
            mark.raise(home, agent, highest);
            return rewake ? REWAKE : ExitCodes.OK;
          }
          if (batch.isEmpty() && System.nanoTime() - deadline >= 0) {
            break;
          }
        }
        if (rewake) {
          return ExitCodes.OK;
        }
        if (invocation.json()) {
          out.println(
              "{\"agent\":"
                  + Output.quote(agent)
                  + ",\"new\":0,\"rearm\":"
                  + Output.quote(rearm)
                  + "}");
        } else {
          invocation
              .err()
              .println(
                  "No new mail for " + agent + " within the watch's lifetime. Re-arm: " + rearm);
        }
        return ExitCodes.TIMEOUT;
      }
    }
  }

  /** Records the armed watcher in the store; releases the lock if that fails. */
  private static java.io.Closeable watching(
      AgentMessenger messenger, WatchMark mark, Duration timeout) throws IOException {
    try {
      return messenger.watching(timeout);
    } catch (RuntimeException e) {
      mark.close();
      throw e;
    }
  }

  private static String digest(
      Invocation invocation, String agent, List<Message> fresh, String rearm) {
    Set<String> senders = new LinkedHashSet<>();
    for (Message message : fresh) {
      senders.add(message.from());
    }
    if (invocation.json()) {
      StringBuilder json = new StringBuilder("{\"agent\":").append(Output.quote(agent));
      json.append(",\"new\":").append(fresh.size()).append(",\"from\":[");
      int i = 0;
      for (String sender : senders) {
        json.append(i++ == 0 ? "" : ",").append(Output.quote(sender));
      }
      json.append("],\"ids\":[");
      for (int j = 0; j < fresh.size(); j++) {
        json.append(j == 0 ? "" : ",").append(Output.quote(fresh.get(j).id()));
      }
      return json.append("],\"read\":")
          .append(Output.quote("agent-msg inbox " + agent))
          .append(",\"rearm\":")
          .append(Output.quote(rearm))
          .append('}')
          .toString();
    }
    return "agent-msg: "
        + fresh.size()
        + (fresh.size() == 1 ? " new message" : " new messages")
        + " for "
        + agent
        + " from "
        + String.join(", ", senders)
        + ". Read: agent-msg inbox "
        + agent
        + "\nRe-arm the watch: "
        + rearm;
  }

  /** The command line that arms the same watch again. */
  private static String rearm(Invocation invocation, String agent, String session, boolean rewake) {
    StringBuilder line = new StringBuilder("agent-msg watch ").append(agent);
    String timeout = invocation.line().getOptionValue("timeout");
    if (timeout != null) {
      line.append(" --timeout ").append(timeout);
    }
    if (!session.equals("default")) {
      line.append(" --session ").append(session);
    }
    if (rewake) {
      line.append(" --rewake");
    }
    if (invocation.json()) {
      line.append(" --json");
    }
    return line.toString();
  }
}
