package agentmsg.cli;

import agentmsg.Options;
import agentmsg.internal.mailbox.Housekeeping;
import agentmsg.internal.mailbox.MailboxLayout;
import agentmsg.internal.store.Store;
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
    return "Exit 0 when healthy (or repaired), 1 when a problem --repair could fix remains.\n"
        + "Rejected files are reported for a person to fix; they never fail the check.";
  }

  @Override
  org.apache.commons.cli.Options options() {
    return new org.apache.commons.cli.Options()
        .addOption(
            flag(null, "repair", "Rebuild missing mirror files, remove stale temporary files"));
  }

  @Override
  int run(Invocation invocation) throws IOException {
    invocation.allowPositional(0);
    boolean repair = invocation.line().hasOption("repair");
    Options options = invocation.options(null);
    Housekeeping.Report report;
    try (Store store = Invocation.store(options)) {
      report = new Housekeeping(store, new MailboxLayout(options.home())).check(repair);
    }
    PrintStream out = invocation.out();
    if (invocation.json()) {
      StringBuilder rejected = new StringBuilder();
      for (Path file : report.rejected()) {
        rejected.append(rejected.length() == 0 ? "" : ",").append(quote(file.toString()));
      }
      out.println(
          "{\"schema\":"
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

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
