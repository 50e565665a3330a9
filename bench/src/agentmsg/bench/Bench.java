package agentmsg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The end-to-end benchmark: real processes, real files, loopback only. Run it with {@code
 * bench/run}; see bench/README.md. Writes a Markdown report to {@code bench/results/} and prints
 * it.
 */
public final class Bench {
  private Bench() {}

  /** What to run, from the command line. */
  static final class Settings {
    Path root;
    Path helloClasses;
    int runs = 20;
    int cliWarmups = 2;
    int messages = 200;
    int warmups = 20;
    int waitRuns = 20;
    int agentWakeWarmups = 3;
    int agentWakeRuns = 20;
    int idleSeconds = 10;
    Path original;
    boolean cacheCompare = true;
    String label = "";
    final List<Path> jdkHomes = new ArrayList<>();
    boolean defaultJdk = true;
    String commandLine = "bench/run";
  }

  public static void main(String[] args) throws Exception {
    Settings settings = parse(args);
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    String loadBefore = Machine.loadAverage();
    Report report = new Report(settings, started);
    try (Setup setup = new Setup(settings.root, settings.helloClasses)) {
      List<Setup.Jdk> jdks = new ArrayList<>();
      if (settings.defaultJdk) {
        jdks.add(setup.jdk("default", null));
      }
      for (Path home : settings.jdkHomes) {
        jdks.add(setup.jdk(home.getFileName().toString(), home));
      }
      boolean node = !Setup.capture(List.of("node", "--version")).isBlank();
      report.node(node ? Setup.capture(List.of("node", "--version")).strip() : null);
      Path original = settings.original;
      if (original == null) {
        report.note(
            "the original Node tool was not measured (no --original): its CLI figures are the"
                + " issue's, quoted; bench/README.md says how to get it.");
      } else if (!node) {
        report.note("the original Node tool was not measured: node is not installed.");
        original = null;
      } else {
        report.original(OriginalTool.describe(original));
      }
      for (Setup.Jdk jdk : jdks) {
        progress("JDK " + jdk.label());
        progress("  one CLI call x " + settings.runs + " ...");
        CliBench.Result cli =
            new CliBench(setup, jdk)
                .run(settings.cliWarmups, settings.runs, node, original, settings.cacheCompare);
        for (String note : cli.notes()) {
          report.note("JDK " + jdk.version() + ": " + note);
        }
        AgentWakeUpBench.Result agentWake = null;
        if (settings.agentWakeRuns > 0) {
          progress("  wake-up as agents see it: " + settings.agentWakeRuns + " send processes ...");
          agentWake =
              new AgentWakeUpBench(setup, jdk)
                  .run(settings.agentWakeWarmups, settings.agentWakeRuns);
        }
        progress(
            "  wake-up: "
                + settings.messages
                + " messages to poll, "
                + settings.waitRuns
                + " to wait, idle "
                + settings.idleSeconds
                + " s ...");
        WakeUpBench.Result wake =
            new WakeUpBench(setup, jdk)
                .run(settings.warmups, settings.messages, settings.waitRuns, settings.idleSeconds);
        report.add(jdk, cli.rows(), wake, agentWake);
      }
    }
    report.finish(ZonedDateTime.now(ZoneOffset.UTC), loadBefore, Machine.loadAverage());
    String markdown = report.markdown();
    Path results = Files.createDirectories(settings.root.resolve("bench/results"));
    String name =
        started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"))
            + (settings.label.isEmpty()
                ? ""
                : "-" + settings.label.replaceAll("[^A-Za-z0-9._-]", "-"))
            + ".md";
    Path file = results.resolve(name);
    Files.writeString(file, markdown);
    System.out.println(markdown);
    System.out.println("Report written to " + settings.root.relativize(file));
  }

  private static void progress(String text) {
    System.err.println("bench: " + text);
  }

  private static Settings parse(String[] args) throws IOException {
    Settings settings = new Settings();
    StringBuilder commandLine = new StringBuilder("bench/run");
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.equals("--root") && !arg.equals("--hello-classes")) {
        commandLine.append(' ').append(arg);
        if (i + 1 < args.length && takesValue(arg)) {
          commandLine.append(' ').append(args[i + 1]);
        }
      }
      switch (arg) {
        case "--root" -> settings.root = Path.of(args[++i]).toAbsolutePath();
        case "--hello-classes" -> settings.helloClasses = Path.of(args[++i]).toAbsolutePath();
        case "--runs" -> settings.runs = positive(arg, args[++i]);
        case "--messages" -> settings.messages = positive(arg, args[++i]);
        case "--wait-runs" -> settings.waitRuns = Integer.parseInt(args[++i]);
        case "--agent-wake-runs" -> settings.agentWakeRuns = Integer.parseInt(args[++i]);
        case "--original" -> settings.original = original(args[++i]);
        case "--idle-seconds" -> settings.idleSeconds = positive(arg, args[++i]);
        case "--label" -> settings.label = args[++i];
        case "--jdk" -> settings.jdkHomes.add(Path.of(args[++i]).toAbsolutePath());
        case "--no-default-jdk" -> settings.defaultJdk = false;
        case "--no-cache-compare" -> settings.cacheCompare = false;
        case "--quick" -> {
          settings.runs = 5;
          settings.messages = 50;
          settings.warmups = 5;
          settings.waitRuns = 3;
          settings.agentWakeWarmups = 2;
          settings.agentWakeRuns = 5;
          settings.idleSeconds = 3;
        }
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    if (settings.root == null || settings.helloClasses == null) {
      throw new IllegalArgumentException("run me through bench/run");
    }
    settings.commandLine = commandLine.toString();
    return settings;
  }

  private static boolean takesValue(String arg) {
    return List.of(
            "--runs",
            "--messages",
            "--wait-runs",
            "--agent-wake-runs",
            "--idle-seconds",
            "--label",
            "--jdk",
            "--original")
        .contains(arg);
  }

  private static Path original(String value) {
    Path app = Path.of(value).toAbsolutePath();
    String problem = OriginalTool.problem(app);
    if (problem != null) {
      throw new IllegalArgumentException("--original: " + problem);
    }
    return app;
  }

  private static int positive(String name, String value) {
    int number = Integer.parseInt(value);
    if (number < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, was " + value);
    }
    return number;
  }
}
