package agentmsg.cli;

import agentmsg.DataHome;
import java.nio.file.Path;

/**
 * The program of a store host started in the background by a CLI call ({@link
 * StoreHost#PROCESS_CLASS}): {@code HostProcess <home>}. It serves the database and the CLI calls
 * of that data home until idle; its log is the data home's {@code host.log}.
 */
public final class HostProcess {
  private HostProcess() {}

  public static void main(String[] args) {
    Path home = Path.of(args[0]).toAbsolutePath();
    System.exit(
        DataHome.serveHost(home, DataHome.DEFAULT_HOST_IDLE, System.err, new HostedCalls()));
  }
}
