package agentmsg.bench;

import java.util.Locale;
import java.util.Map;

/**
 * The report's CLI figures: labels, targets and the ratio to the original of each {@link
 * CliBench.Row}.
 */
final class CliTables {
  /** The figure for one call of the original, used when it was not measured. */
  static final double QUOTED_ORIGINAL_MILLIS = 80;

  private CliTables() {}

  /** "`agent-msg send` (native client)", or the floor's own name. */
  static String label(CliBench.Row row) {
    if (row.variant() == null) {
      return row.command().equals(CliBench.HELLO)
          ? "Java hello world (floor)"
          : "`" + row.command() + "` (floor)";
    }
    return "`" + row.command() + "` (" + row.variant() + ")";
  }

  /** What the row should reach, or "". */
  static String target(CliBench.Row row) {
    if (CliBench.NATIVE.equals(row.variant())) {
      return switch (row.command()) {
        case CliBench.HOOK_IDLE -> "< 15 ms";
        case CliBench.HOOK_NEW -> "no slower than `inbox` (native client)";
        default -> "CPU <= 20 ms";
      };
    }
    if ("own JVM".equals(row.variant())
        && row.original() != null
        && !row.command().startsWith("hook")) {
      return "< 250 ms (JDK 25), < 350 ms (JDK 17)";
    }
    return "";
  }

  /**
   * Our median over the original's for the same command in the same rounds ("0.12x": about eight
   * times faster); the quoted figure when the original was not measured; "" without a counterpart.
   */
  static String versusOriginal(CliBench.Row row, Map<String, CliBench.Row> rows) {
    if (row.original() == null) {
      return "";
    }
    String against = row.command().startsWith("hook") ? " of `inbox`" : "";
    CliBench.Row original = rows.get(row.original());
    if (original == null) {
      if (row.command().equals(CliBench.SEND_WIRE)) {
        return "";
      }
      return ratio(row.wall().median() / QUOTED_ORIGINAL_MILLIS) + against + ", quoted 80 ms";
    }
    return ratio(row.wall().median() / original.wall().median()) + against;
  }

  /** CPU milliseconds: whole ones, the precision of bash's {@code times}. */
  static String cpu(double millis) {
    return String.format(Locale.ROOT, "%.0f", millis);
  }

  static String ratio(double value) {
    String format = value < 0.1 ? "%.3fx" : value < 10 ? "%.2fx" : "%.0fx";
    return String.format(Locale.ROOT, format, value);
  }

  /** The detail table: every call of every JDK. */
  static void details(StringBuilder md, Iterable<Report.JdkRun> runs) {
    md.append(
        "## One CLI call (wall time, process start to exit; CPU time of its process tree)\n\n");
    md.append("| JDK | command | N | median | p90 | min-max | CPU median | CPU p90 |")
        .append(" / hello world | x original |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (Report.JdkRun run : runs) {
      CliBench.Row floor = run.calls().get(CliBench.HELLO);
      for (CliBench.Row row : run.calls().values()) {
        md.append("| ")
            .append(Report.major(run.jdk()))
            .append(" | ")
            .append(label(row))
            .append(" | ")
            .append(row.wall().n())
            .append(" | ")
            .append(Stats.ms(row.wall().median()))
            .append(" ms | ")
            .append(Stats.ms(row.wall().p90()))
            .append(" ms | ")
            .append(row.wall().range())
            .append(" ms | ")
            .append(cpu(row.cpu().median()))
            .append(" ms | ")
            .append(cpu(row.cpu().p90()))
            .append(" ms | ")
            .append(ratio(row.wall().median() / floor.wall().median()))
            .append(" | ")
            .append(versusOriginal(row, run.calls()))
            .append(" |\n");
      }
    }
    md.append('\n');
  }
}
