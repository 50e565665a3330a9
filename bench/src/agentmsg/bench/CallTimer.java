package agentmsg.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Times one process: its wall time and the CPU time (user + system) of it and every process it
 * waited for. A small bash script runs the command as its only child and reports both: the wall
 * time from {@code $EPOCHREALTIME} (microseconds) just before the fork and just after the wait, so
 * the script's own start-up is not counted, and the CPU time from the {@code times} builtin, which
 * reads {@code getrusage(RUSAGE_CHILDREN)} (millisecond precision). A process the command started
 * and did not wait for (the store host, which a call starts in its own session) is not counted.
 */
final class CallTimer {
  /** What one run took; {@code exitCode} is the command's. */
  record Sample(double wallMillis, double cpuMillis, int exitCode) {}

  private static final String SCRIPT =
      """
      start=$EPOCHREALTIME
      "$@" >/dev/null
      status=$?
      end=$EPOCHREALTIME
      echo "$status $start $end"
      times
      """;

  private CallTimer() {}

  /**
   * Runs {@code command} with exactly {@code env}, standard input from {@code stdin} (null:
   * /dev/null), standard output discarded and standard error written to {@code stderr}.
   */
  static Sample run(List<String> command, Map<String, String> env, Path stdin, Path stderr)
      throws IOException, InterruptedException {
    List<String> wrapped = new ArrayList<>(List.of("bash", "-c", SCRIPT, "bench-call"));
    wrapped.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(wrapped);
    builder.environment().clear();
    builder.environment().putAll(env);
    builder.redirectInput(
        ProcessBuilder.Redirect.from((stdin == null ? Path.of("/dev/null") : stdin).toFile()));
    Files.deleteIfExists(stderr);
    builder.redirectError(stderr.toFile());
    Process process = builder.start();
    byte[] report = process.getInputStream().readAllBytes();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
    }
    return parse(new String(report, StandardCharsets.UTF_8), command);
  }

  private static Sample parse(String report, List<String> command) {
    // Line 1: "<status> <start> <end>"; line 2: the shell's own times; line 3: its children's.
    String[] lines = report.strip().split("\n");
    if (lines.length < 3) {
      throw new IllegalStateException(
          "no timing from the wrapper of " + String.join(" ", command) + ": " + report);
    }
    String[] first = lines[0].strip().split(" ");
    String[] children = lines[2].strip().split("\\s+");
    double wall = micros(first[2]) / 1000.0 - micros(first[1]) / 1000.0;
    double cpu = clockMillis(children[0]) + clockMillis(children[1]);
    return new Sample(wall, cpu, Integer.parseInt(first[0]));
  }

  /** Microseconds of an {@code $EPOCHREALTIME} value ("1796187020.798856"; "," in some locales). */
  private static long micros(String epoch) {
    String[] parts = epoch.replace(',', '.').split("\\.");
    String fraction = (parts.length > 1 ? parts[1] : "") + "000000";
    return Long.parseLong(parts[0]) * 1_000_000 + Long.parseLong(fraction.substring(0, 6));
  }

  /** Milliseconds of a {@code times} value ("0m0.012s"). */
  private static double clockMillis(String value) {
    int m = value.indexOf('m');
    double minutes = Double.parseDouble(value.substring(0, m));
    double seconds =
        Double.parseDouble(value.substring(m + 1, value.length() - 1).replace(',', '.'));
    return minutes * 60_000 + seconds * 1000;
  }
}
