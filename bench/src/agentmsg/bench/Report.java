package agentmsg.bench;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Markdown report: the machine, the JDKs, and every figure with its spread and ratios. */
final class Report {
  /** The original Node tool is not installable here; these are the figures, quoted. */
  static final double ORIGINAL_CLI_MILLIS = 80;

  static final String ORIGINAL_CLI = "~75-85 ms (quoted)";
  static final double ORIGINAL_WAKE_MILLIS = 1000;
  static final String ORIGINAL_WAKE = "~1000 ms mean, polls every 2000 ms (quoted)";

  private record JdkRun(Setup.Jdk jdk, Map<String, Stats> calls, WakeUpBench.Result wake) {}

  private final Bench.Settings settings;
  private final ZonedDateTime started;
  private final List<JdkRun> runs = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private String node;
  private ZonedDateTime finished;
  private String loadBefore;
  private String loadAfter;

  Report(Bench.Settings settings, ZonedDateTime started) {
    this.settings = settings;
    this.started = started;
  }

  void note(String text) {
    notes.add(text);
  }

  void node(String version) {
    this.node = version;
  }

  void add(Setup.Jdk jdk, Map<String, Stats> calls, WakeUpBench.Result wake) {
    runs.add(new JdkRun(jdk, calls, wake));
  }

  void finish(ZonedDateTime finished, String loadBefore, String loadAfter) {
    this.finished = finished;
    this.loadBefore = loadBefore;
    this.loadAfter = loadAfter;
  }

  String markdown() throws InterruptedException {
    StringBuilder md = new StringBuilder();
    md.append("# agent-msg benchmarks, ")
        .append(started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append(settings.label.isEmpty() ? "" : " (" + settings.label + ")")
        .append("\n\n");
    md.append("- Command: `").append(settings.commandLine).append("`\n");
    md.append("- Commit: ").append(commit()).append('\n');
    md.append("- Machine: ").append(Machine.describe()).append('\n');
    md.append("- Load average (1/5/15 min): ")
        .append(loadBefore)
        .append(" at the start, ")
        .append(loadAfter)
        .append(" at the end; run took ")
        .append(Duration.between(started, finished).toSeconds())
        .append(" s\n");
    for (JdkRun run : runs) {
      md.append("- JDK ").append(major(run.jdk)).append(": ").append(run.jdk.label()).append('\n');
    }
    md.append("- Node: ")
        .append(node == null ? "not installed (no `node -e 0` floor)" : node)
        .append("; the original agent-msg (Node) is not installed here, its figures are quoted")
        .append(" from the issue, not measured\n\n");

    summary(md);
    wakeUp(md);
    cliCalls(md);
    idle(md);
    method(md);
    for (String note : notes) {
      md.append("- Note: ").append(note).append('\n');
    }
    return md.toString();
  }

  private void summary(StringBuilder md) {
    md.append("## Summary (medians)\n\n| figure |");
    for (JdkRun run : runs) {
      md.append(" JDK ").append(major(run.jdk)).append(" |");
    }
    md.append(" target | original |\n|---|");
    md.append("---|".repeat(runs.size())).append("---|---|\n");
    md.append("| wake-up: send() returned -> `poll --json` printed |");
    for (JdkRun run : runs) {
      md.append(' ').append(Stats.ms(run.wake.pollFromReturn().median())).append(" ms |");
    }
    md.append(" < 5 ms, p99 < 20 ms | ").append(ORIGINAL_WAKE).append(" |\n");
    md.append("| wake-up p99 |");
    for (JdkRun run : runs) {
      md.append(' ').append(Stats.ms(run.wake.pollFromReturn().p99())).append(" ms |");
    }
    md.append(" < 20 ms | |\n");
    for (String name : runs.get(0).calls.keySet()) {
      md.append("| ").append(callLabel(name)).append(" |");
      for (JdkRun run : runs) {
        Stats stats = run.calls.get(name);
        md.append(' ').append(stats == null ? "-" : Stats.ms(stats.median()) + " ms").append(" |");
      }
      boolean cli = isCli(name);
      md.append(' ')
          .append(cli && !name.contains("(") ? "< 250 ms (JDK 25), < 350 ms (JDK 17)" : "")
          .append(" | ")
          .append(cli ? ORIGINAL_CLI : "")
          .append(" |\n");
    }
    md.append("| idle `poll` CPU, % of one core |");
    for (JdkRun run : runs) {
      md.append(' ').append(percent(run.wake.idleCpuPercent())).append(" |");
    }
    md.append(" < 1 % | |\n\n");
  }

  private void wakeUp(StringBuilder md) {
    md.append("## File-watch wake-up (another process prints the message)\n\n");
    md.append("| JDK | reader, clock starts at | N | median | p90 | p99 | min-max | original /")
        .append(" median |\n|---|---|---|---|---|---|---|---|\n");
    for (JdkRun run : runs) {
      wakeRow(md, run, "`poll --json`, send() returned", run.wake.pollFromReturn());
      wakeRow(md, run, "`poll --json`, send() called", run.wake.pollFromCall());
      if (run.wake.waitFromReturn() != null) {
        wakeRow(
            md,
            run,
            "`wait --json` (one process each), send() returned",
            run.wake.waitFromReturn());
      }
    }
    md.append('\n');
    for (JdkRun run : runs) {
      if (run.wake.printedBeforeReturn() > 0) {
        md.append("JDK ")
            .append(major(run.jdk))
            .append(": ")
            .append(run.wake.printedBeforeReturn())
            .append(" message(s) were printed before send() had returned (negative times kept).\n");
      }
    }
    md.append('\n');
  }

  private static void wakeRow(StringBuilder md, JdkRun run, String reader, Stats stats) {
    md.append("| ")
        .append(major(run.jdk))
        .append(" | ")
        .append(reader)
        .append(" | ")
        .append(stats.n())
        .append(" | ")
        .append(Stats.ms(stats.median()))
        .append(" ms | ")
        .append(Stats.ms(stats.p90()))
        .append(" ms | ")
        .append(Stats.ms(stats.p99()))
        .append(" ms | ")
        .append(stats.range())
        .append(" ms | ")
        .append(ratio(ORIGINAL_WAKE_MILLIS / stats.median()))
        .append(" faster (quoted original) |\n");
  }

  private void cliCalls(StringBuilder md) {
    md.append("## One CLI call (wall time, process start to exit)\n\n");
    md.append("| JDK | command | N | median | p90 | p99 | min-max | / hello world |")
        .append(" / original (quoted 80 ms) |\n|---|---|---|---|---|---|---|---|---|\n");
    for (JdkRun run : runs) {
      Stats floor = run.calls.get(CliBench.HELLO);
      for (Map.Entry<String, Stats> entry : run.calls.entrySet()) {
        Stats stats = entry.getValue();
        boolean cli = isCli(entry.getKey());
        md.append("| ")
            .append(major(run.jdk))
            .append(" | ")
            .append(callLabel(entry.getKey()))
            .append(" | ")
            .append(stats.n())
            .append(" | ")
            .append(Stats.ms(stats.median()))
            .append(" ms | ")
            .append(Stats.ms(stats.p90()))
            .append(" ms | ")
            .append(Stats.ms(stats.p99()))
            .append(" ms | ")
            .append(stats.range())
            .append(" ms | ")
            .append(ratio(stats.median() / floor.median()))
            .append(" | ")
            .append(cli ? ratio(stats.median() / ORIGINAL_CLI_MILLIS) : "")
            .append(" |\n");
      }
    }
    md.append('\n');
  }

  private void idle(StringBuilder md) {
    md.append("## Idle CPU of a running `poll`\n\n");
    md.append(
        "| JDK | measured over | CPU, % of one core | resident memory |\n|---|---|---|---|\n");
    for (JdkRun run : runs) {
      md.append("| ")
          .append(major(run.jdk))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.1f s", run.wake.idleSeconds()))
          .append(" | ")
          .append(percent(run.wake.idleCpuPercent()))
          .append(" | ")
          .append(run.wake.idleRssKib() < 0 ? "?" : (run.wake.idleRssKib() / 1024) + " MiB")
          .append(" |\n");
    }
    md.append('\n');
  }

  private void method(StringBuilder md) {
    md.append("## How it was measured\n\n");
    md.append(
        """
        - Wake-up: a `bin/agent-msg poll bob --json` child process owns the H2 database (it opened \
        it first); the harness JVM sends through the `AgentMessenger` library, reaching the \
        database over loopback as a CLI `send` would, and stamps the moment `send()` returns \
        (committed, synced, mirrored). A reader thread stamps each line the moment it is read \
        from the child's stdout pipe. Messages are %d after %d warm-ups, 10-20 ms apart so the \
        reader is asleep each time. "send() called" starts the clock before the send, so it \
        also counts the commit, the sync and the mirror write.
        - `wait --json`: one fresh child process per message, sent once the child has its \
        inotify watch (read from /proc/<pid>/fdinfo) plus 500 ms, so it is asleep in its wait; \
        the harness owns the database here.
        - One CLI call: `bin/agent-msg` as a user runs it (bash launcher, then `java -jar`), from \
        process start to exit, stdout discarded; %d runs each after %d untimed warm-ups, the \
        commands taking turns. Each variant has its own data home, where the first call starts \
        a store host as a user's first call does (unless the variant turns it off), and later \
        calls connect to it; the hosts are stopped at the end. `send` sends to a registered \
        agent; `inbox` prints the one unread message each turn leaves. `send -w` sends through \
        a server running in the harness JVM (its own data home, the agents' tokens), as an \
        agent on another machine would.
        - Floor: a Java hello world (`java -cp <dir> Hello`, default JVM flags) on the same JDK, \
        and `node -e 0`, run in the same rounds.
        - Idle CPU: utime+stime of the `poll` child from /proc/<pid>/stat over the interval, \
        starting 1 s after the last message, with no client connected.
        - Original tool: not measured; the figures are quoted from issue 6 (about 75-85 ms per \
        CLI call; `poll` checks every 2000 ms, so about 1 s mean wake-up).
        """
            .formatted(settings.messages, settings.warmups, settings.runs, settings.cliWarmups));
  }

  private static boolean isCli(String name) {
    return !name.equals(CliBench.HELLO) && !name.equals(CliBench.NODE);
  }

  private static String callLabel(String name) {
    if (name.equals(CliBench.HELLO)) {
      return "Java hello world (floor)";
    }
    if (name.equals(CliBench.NODE)) {
      return "`node -e 0` (floor)";
    }
    int paren = name.indexOf(" (");
    return paren < 0
        ? "`agent-msg " + name + "`"
        : "`agent-msg " + name.substring(0, paren) + "`" + name.substring(paren);
  }

  private static String major(Setup.Jdk jdk) {
    Matcher matcher = Pattern.compile("build (\\d+)").matcher(jdk.version());
    return matcher.find() ? matcher.group(1) : jdk.key();
  }

  private static String ratio(double value) {
    return String.format(Locale.ROOT, value < 10 ? "%.1fx" : "%.0fx", value);
  }

  private static String percent(double value) {
    return String.format(Locale.ROOT, "%.2f %%", value);
  }

  private String commit() throws InterruptedException {
    String root = settings.root.toString();
    String head = Setup.capture(List.of("git", "-C", root, "rev-parse", "--short", "HEAD")).strip();
    String dirty =
        Setup.capture(List.of("git", "-C", root, "status", "--porcelain", "--untracked-files=no"))
            .strip();
    return "`" + head + "`" + (dirty.isEmpty() ? "" : " plus uncommitted changes");
  }
}
