package agentmsg.cli;

import agentmsg.DataHome;
import agentmsg.Options;
import agentmsg.StoreCorruptException;
import agentmsg.internal.mailbox.Housekeeping;
import agentmsg.internal.mailbox.StoreRebuild;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code doctor [--repair]}: checks the store, the mirror, tmp/ and rejected/; fixes on request.
 */
final class DoctorCommand extends Command {
  @Override
  String name() {
    return "doctor";
  }

  @Override
  String arguments() {
    return "";
  }

  @Override
  String summary() {
    return "Check the store, the mirror files and rejected files; --repair rebuilds the mirror";
  }

  @Override
  String details() {
    return """
        Exit 0 when healthy (or repaired), 1 when a problem --repair could fix remains.
        Rejected files are reported for a person to fix; they never fail the check.
        A damaged database file, or one that holds less than it once did (truncated, replaced),
        fails the check; --repair renames it to agent-msg.mv.db.damaged-<time> (never deletes
        it) and rebuilds the store from what H2's recovery tool saves of it and from the mirror
        files, with the delivery state the receipt files give. Stop a running server first.""";
  }

  @Override
  org.apache.commons.cli.Options options() {
    return new org.apache.commons.cli.Options()
        .addOption(
            flag(
                null,
                "repair",
                "Rebuild missing mirror files, remove stale temporary files, rebuild a damaged"
                    + " store"));
  }

  @Override
  int run(Invocation invocation) throws IOException {
    invocation.allowPositional(0);
    boolean repair = invocation.line().hasOption("repair");
    Options options = invocation.options(null);
    PrintStream out = invocation.out();
    String damage = null;
    String damageKind = "ok";
    Housekeeping.Report report = null;
    try (DataHome dataHome = Invocation.dataHome(options)) {
      damage = dataHome.rewound().orElse(null);
      damageKind = damage == null ? "ok" : "rewound";
      if (damage == null) {
        report = dataHome.housekeeping().check(repair);
      }
    } catch (StoreCorruptException e) {
      damage = e.getMessage().replaceFirst("; run: .*$", "");
      damageKind = "corrupt";
    }
    StoreRebuild.Result rebuilt = null;
    if (damage != null) {
      if (!repair) {
        if (invocation.json()) {
          out.println(
              "{\"store\":"
                  + quote(damageKind)
                  + ",\"storeProblem\":"
                  + quote(damage)
                  + ",\"healthy\":false}");
        } else {
          out.println("store: " + damage + " (fix: agent-msg doctor --repair)");
        }
        return ExitCodes.FAILED;
      }
      rebuilt = StoreRebuild.run(options.home(), options.storeTimeout(), options.warningListener());
      try (DataHome dataHome = Invocation.dataHome(options)) {
        report = dataHome.housekeeping().check(true);
      }
    }
    if (invocation.json()) {
      StringBuilder rejected = new StringBuilder();
      for (Path file : report.rejected()) {
        rejected.append(rejected.length() == 0 ? "" : ",").append(quote(file.toString()));
      }
      out.println(
          "{\"store\":"
              + quote(damageKind)
              + (damage == null ? "" : ",\"storeProblem\":" + quote(damage))
              + (rebuilt == null ? "" : rebuiltJson(rebuilt))
              + ",\"schema\":"
              + quote(report.schema())
              + ",\"expectedSchema\":"
              + quote(Integer.toString(report.expectedSchema()))
              + ",\"messages\":"
              + report.messages()
              + ",\"missingMirrorFiles\":"
              + report.missingMirror()
              + ",\"rebuiltMirrorFiles\":"
              + report.rebuiltMirror()
              + ",\"staleTmpFiles\":"
              + report.staleTmp()
              + ",\"removedTmpFiles\":"
              + report.removedTmp()
              + ",\"rejected\":["
              + rejected
              + "],\"healthy\":"
              + !report.unhealthy()
              + "}");
    } else {
      if (rebuilt != null) {
        printRebuilt(out, damage, rebuilt);
      }
      out.println(
          "store: opens, schema version "
              + report.schema()
              + (report.schema().equals(Integer.toString(report.expectedSchema()))
                  ? " (current)"
                  : " (expected " + report.expectedSchema() + ")")
              + ", "
              + Output.plural((int) Math.min(Integer.MAX_VALUE, report.messages()), "message"));
      out.println(
          "mirror: "
              + (report.missingMirror() == 0
                  ? "complete"
                  : report.missingMirror()
                      + " file(s) missing"
                      + (repair
                          ? ", rebuilt " + report.rebuiltMirror() + " from the store"
                          : " (fix: agent-msg doctor --repair)")));
      out.println(
          "tmp: "
              + (report.staleTmp() == 0
                  ? "clean"
                  : report.staleTmp()
                      + " stale file(s)"
                      + (repair
                          ? ", removed " + report.removedTmp()
                          : " (fix: agent-msg doctor --repair)")));
      out.println(
          "rejected: "
              + (report.rejected().isEmpty()
                  ? "none"
                  : report.rejected().size()
                      + " malformed file(s) set aside; see the .reason beside each, fix it and move"
                      + " it back to its inbox:"));
      for (Path file : report.rejected()) {
        out.println("  " + file);
      }
    }
    return report.unhealthy() ? ExitCodes.FAILED : ExitCodes.OK;
  }

  private static void printRebuilt(PrintStream out, String damage, StoreRebuild.Result rebuilt) {
    out.println("store: " + damage);
    out.println(
        "repair: "
            + (rebuilt.setAside() == null
                ? "no database file to set aside"
                : "set the damaged file aside as " + rebuilt.setAside())
            + "; rebuilt the store with "
            + Output.plural(rebuilt.messages(), "message")
            + " ("
            + rebuilt.salvaged()
            + " read from the damaged file: "
            + rebuilt.salvagedHow()
            + "; "
            + rebuilt.mirrored()
            + " in the mirror files, "
            + rebuilt.fromReceipts()
            + " given their state by receipts) and "
            + Output.plural(rebuilt.agents(), "agent"));
    for (String note : rebuilt.notes()) {
      out.println("  " + note);
    }
  }

  private static String rebuiltJson(StoreRebuild.Result rebuilt) {
    StringBuilder notes = new StringBuilder();
    for (String note : rebuilt.notes()) {
      notes.append(notes.length() == 0 ? "" : ",").append(quote(note));
    }
    return ",\"setAside\":"
        + (rebuilt.setAside() == null ? "null" : quote(rebuilt.setAside().toString()))
        + ",\"salvaged\":"
        + rebuilt.salvaged()
        + ",\"salvagedHow\":"
        + quote(rebuilt.salvagedHow())
        + ",\"mirrored\":"
        + rebuilt.mirrored()
        + ",\"fromReceipts\":"
        + rebuilt.fromReceipts()
        + ",\"rebuiltMessages\":"
        + rebuilt.messages()
        + ",\"rebuiltAgents\":"
        + rebuilt.agents()
        + ",\"notes\":["
        + notes
        + "]";
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
