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
  static final double ORIGINAL_WAKE_MILLIS = 1000;
  static final String ORIGINAL_WAKE = "~1000 ms mean, polls every 2000 ms (quoted)";

  /** One JDK's figures. {@code agentWake} is null when it was skipped. */
  record JdkRun(
      Setup.Jdk jdk,
      Map<String, CliBench.Row> calls,
      WakeUpBench.Result wake,
      AgentWakeUpBench.Result agentWake) {}

  private final Bench.Settings settings;
  private final ZonedDateTime started;
  private final List<JdkRun> runs = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private String node;
  private String original;
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

  /** The original tool measured beside ours, described. */
  void original(String description) {
    this.original = description;
  }

  void add(
      Setup.Jdk jdk,
      Map<String, CliBench.Row> calls,
      WakeUpBench.Result wake,
      AgentWakeUpBench.Result agentWake) {
    runs.add(new JdkRun(jdk, calls, wake, agentWake));
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
        .append('\n');
    md.append("- Original: ")
        .append(
            original == null
                ? "not measured; its CLI figure (80 ms) and wake-up are quoted from the issue"
                : original + ", measured in the same rounds; its wake-up is quoted from the issue")
        .append("\n\n");

    summary(md);
    wakeUp(md);
    agentWakeUp(md);
    CliTables.details(md, runs);
    idle(md);
    method(md);
    for (String note : notes) {
      md.append("- Note: ").append(note).append('\n');
    }
    return md.toString();
  }

  private void summary(StringBuilder md) {
    md.append("## Summary (medians)\n\n")
        .append("A call's cell: wall time / CPU time of its process tree (our median over the")
        .append(" original's for the same command, `x original`).\n\n| figure |");
    for (JdkRun run : runs) {
      md.append(" JDK ").append(major(run.jdk)).append(" |");
    }
    md.append(" target |\n|---|");
    md.append("---|".repeat(runs.size())).append("---|\n");
    md.append("| wake-up: send() returned -> `poll --json` printed |");
    for (JdkRun run : runs) {
      md.append(' ').append(Stats.ms(run.wake.pollFromReturn().median())).append(" ms |");
    }
    md.append(" < 5 ms, p99 < 20 ms (original: ").append(ORIGINAL_WAKE).append(") |\n");
    md.append("| wake-up p99 |");
    for (JdkRun run : runs) {
      md.append(' ').append(Stats.ms(run.wake.pollFromReturn().p99())).append(" ms |");
    }
    md.append(" < 20 ms |\n");
    if (runs.stream().anyMatch(run -> run.agentWake != null)) {
      agentSummaryRow(
          md,
          "agent wake-up: `send` process started -> `poll` printed",
          AgentWakeUpBench.Result::printed,
          "");
      agentSummaryRow(
          md,
          "agent wake-up: `send` process started -> exited",
          AgentWakeUpBench.Result::exited,
          "");
      md.append("| agent wake-up: printed minus exited (difference of the medians) |");
      for (JdkRun run : runs) {
        md.append(' ')
            .append(
                run.agentWake == null
                    ? "-"
                    : Stats.ms(run.agentWake.printed().median() - run.agentWake.exited().median())
                        + " ms")
            .append(" |");
      }
      md.append(" <= 5 ms |\n");
    }
    for (String name : runs.get(0).calls().keySet()) {
      CliBench.Row first = runs.get(0).calls().get(name);
      md.append("| ").append(CliTables.label(first)).append(" |");
      for (JdkRun run : runs) {
        CliBench.Row row = run.calls().get(name);
        if (row == null) {
          md.append(" - |");
          continue;
        }
        String versus = CliTables.versusOriginal(row, run.calls());
        md.append(' ')
            .append(Stats.ms(row.wall().median()))
            .append(" / ")
            .append(CliTables.cpu(row.cpu().median()))
            .append(" ms")
            .append(versus.isEmpty() ? "" : " (" + versus + ")")
            .append(" |");
      }
      md.append(' ').append(CliTables.target(first)).append(" |\n");
    }
    md.append("| idle `poll` CPU, % of one core |");
    for (JdkRun run : runs) {
      md.append(' ').append(percent(run.wake.idleCpuPercent())).append(" |");
    }
    md.append(" < 1 % |\n\n");
  }

  private void agentSummaryRow(
      StringBuilder md,
      String figure,
      java.util.function.Function<AgentWakeUpBench.Result, Stats> stats,
      String target) {
    md.append("| ").append(figure).append(" |");
    for (JdkRun run : runs) {
      md.append(' ')
          .append(
              run.agentWake == null ? "-" : Stats.ms(stats.apply(run.agentWake).median()) + " ms")
          .append(" |");
    }
    md.append(' ').append(target).append(" |\n");
  }

  private void agentWakeUp(StringBuilder md) {
    if (runs.stream().allMatch(run -> run.agentWake == null)) {
      return;
    }
    md.append("## Wake-up as agents see it (a `send` process, a `poll --json` process)\n\n");
    md.append("| JDK | N | started -> printed, median | p90 | started -> exited, median | p90 |")
        .append(" difference of the medians | printed - exited per run: median | min-max |\n")
        .append("|---|---|---|---|---|---|---|---|---|\n");
    for (JdkRun run : runs) {
      AgentWakeUpBench.Result wake = run.agentWake;
      if (wake == null) {
        continue;
      }
      md.append("| ")
          .append(major(run.jdk))
          .append(" | ")
          .append(wake.printed().n())
          .append(" | ")
          .append(Stats.ms(wake.printed().median()))
          .append(" ms | ")
          .append(Stats.ms(wake.printed().p90()))
          .append(" ms | ")
          .append(Stats.ms(wake.exited().median()))
          .append(" ms | ")
          .append(Stats.ms(wake.exited().p90()))
          .append(" ms | ")
          .append(Stats.ms(wake.printed().median() - wake.exited().median()))
          .append(" ms | ")
          .append(Stats.ms(wake.printedAfterExit().median()))
          .append(" ms | ")
          .append(wake.printedAfterExit().range())
          .append(" ms |\n");
    }
    md.append('\n');
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
        - Wake-up as agents see it: a `bin/agent-msg poll bob --json` child waits (started \
        after the home's store host serves, given its inotify watch plus 500 ms); the harness \
        starts `bin/agent-msg send bob ... -s alice` (native client, through the host) as a \
        process at t0; t1 is the poll's line read from its pipe, t2 the send process's exit \
        (`Process.onExit`). %d runs after %d warm-ups, 20-40 ms apart.
        - One CLI call: `bin/agent-msg` as a user runs it (the bash launcher, then the native \
        client, the Java client or `java -jar`), %d runs each after %d untimed warm-ups, the \
        commands taking turns, stdout discarded. Each process runs under a small bash script: \
        the wall time is `$EPOCHREALTIME` just before its fork and just after its wait (the \
        script's own start-up is not counted); the CPU time is user + system of it and every \
        process it waited for (the launcher's `java`, its subshells), from bash's `times` \
        (getrusage RUSAGE_CHILDREN, 1 ms steps). The store host a call starts in the \
        background is not counted: it is not the caller's. Each variant has its own data \
        homes, one for the everyday commands and one for the hooks, each with its own store \
        host (none for "no store host"); the hosts are started and asked to run a `list` until \
        they do (the native client without a fallback) before the warm-ups, again before the \
        first timed round, and stopped (`host --stop`) at the end. A native-client call that \
        takes more than 30 ms of CPU ran a JVM (the host did not serve it): it is timed again \
        once the hosts serve, as is a call during which the launcher rebuilt the jar. `send` \
        sends to a registered agent; `inbox` prints the one unread message each turn leaves; \
        `status <id>` shows one of 25 messages sent at the start, `history bob -n 20` the newest \
        20 of bob's (25 and growing). `hook -s bob` gets `{"hook_event_name":"PostToolUse"}` \
        on stdin and has nothing new: the clients answer from the host's mark file while it is \
        under 60 s old, and hand the call to the host otherwise (about one turn in six here). \
        `hook -s carol` gets one new message before each run (sent untimed through the native \
        client), which it prints. `send -w` sends through our server running in the harness \
        JVM (its own data home, the agents' tokens), as an agent on another machine would; the \
        native client finds no host there (the server owns that file), so it runs in its own JVM.
        - The original (when `--original` is given): `node <checkout>/bin/agent-msg`, its data \
        in a scratch HOME, timed the same way in the same rounds: `send bob ... -s alice` and \
        `list` after `register alice` and `register bob`; `inbox bob` deletes what it prints, \
        so one message is sent untimed before a run if bob's folder is empty (it holds the one \
        the round's `send` left, as ours). `send -w --wait` goes through its own `server` on a \
        free loopback port (its listen held to 127.0.0.1 by a preload of ours, checked in \
        /proc/net/tcp) with its `connect -a bob` running: its `--wait` waits for the server's \
        `delivered`, sent once it has passed the message to the connected bob. Ours, `send -w` \
        without `--wait`, waits for `stored`: stored and synced. `x original` is our median \
        over the original's; a hook is compared with the original's `inbox`.
        - Floor: a Java hello world (`java -cp <dir> Hello`, default JVM flags) on the same JDK, \
        and `node -e 0`, run in the same rounds.
        - Idle CPU: utime+stime of the `poll` child from /proc/<pid>/stat over the interval, \
        starting 1 s after the last message, with no client connected.
        - The original's wake-up is quoted from issue 6 (its `poll` checks every 2000 ms, so \
        about 1 s mean); without `--original` its CLI figure is too (about 75-85 ms a call).
        """
            .formatted(
                settings.messages,
                settings.warmups,
                settings.agentWakeRuns,
                settings.agentWakeWarmups,
                settings.runs,
                settings.cliWarmups));
  }

  static String major(Setup.Jdk jdk) {
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
