package agentmsg.cli;

import agentmsg.DataHome;
import agentmsg.Options;
import java.time.Duration;

/**
 * {@code host [--idle <seconds>] [--stop]}: keeps the data home's database open so that CLI calls
 * connect to it instead of opening it. CLI calls start one by themselves; this runs it in the
 * foreground (e.g. under a service manager), or stops the running one.
 */
final class HostCommand extends Command {
  @Override
  String name() {
    return "host";
  }

  @Override
  String arguments() {
    return "[--idle <seconds>] [--stop]";
  }

  @Override
  String summary() {
    return "Keep the database open so CLI calls start faster (started by them; exits when idle)";
  }

  @Override
  String details() {
    return "A CLI call that opens the database itself starts a host in the background; later\n"
        + "calls connect to it over loopback instead of opening the file again. It exits after\n"
        + "--idle seconds with no process connected (default "
        + DataHome.DEFAULT_HOST_IDLE.toSeconds()
        + "), when the server takes the\n"
        + "file over, or with --stop. AGENT_MSG_STORE_HOST=off keeps calls from starting one.\n"
        + "Exits at once if a host already serves this data home.";
  }

  @Override
  org.apache.commons.cli.Options options() {
    return new org.apache.commons.cli.Options()
        .addOption(
            value(
                null,
                "idle",
                "seconds",
                "Exit after this long with no process connected (default "
                    + DataHome.DEFAULT_HOST_IDLE.toSeconds()
                    + ")"))
        .addOption(flag(null, "stop", "Ask the running host to close the database and exit"));
  }

  @Override
  int run(Invocation invocation) {
    invocation.allowPositional(0);
    Options options = invocation.options(null);
    if (invocation.line().hasOption("stop")) {
      boolean running = DataHome.hostRunning(options.home());
      if (running) {
        DataHome.stopHost(options.home());
      }
      invocation.out().println(running ? "Asked the host to stop" : "No host is running");
      return ExitCodes.OK;
    }
    Duration idle =
        invocation.line().hasOption("idle")
            ? Duration.ofSeconds(invocation.longValue("idle", 1, 7 * 24 * 3600))
            : DataHome.DEFAULT_HOST_IDLE;
    return DataHome.serveHost(options.home(), idle, invocation.err(), new HostedCalls()) == 0
        ? ExitCodes.OK
        : ExitCodes.FAILED;
  }
}
