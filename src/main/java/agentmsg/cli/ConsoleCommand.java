package agentmsg.cli;

import agentmsg.server.console.ConsoleCodes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import org.apache.commons.cli.Options;

/**
 * {@code console}: prints a sign-in link to the console of the server on this data home. The link
 * holds a one-time code, minted into the data home (so only its owner can make one) and good for
 * two minutes; the page trades it for a session.
 */
final class ConsoleCommand extends Command {
  @Override
  String name() {
    return "console";
  }

  @Override
  String arguments() {
    return "";
  }

  @Override
  String summary() {
    return "Print a sign-in link to the server's web console (watch and join conversations)";
  }

  @Override
  String details() {
    return "The link is good once, for "
        + ConsoleCodes.LIFETIME.toMinutes()
        + " minutes; the last line of stdout is the link (--json: {\"url\": ...}). A console"
        + " session reads every message of the data home.";
  }

  @Override
  Options options() {
    return new Options().addOption(ServerUrl.urlOption());
  }

  @Override
  int run(Invocation invocation) {
    invocation.allowPositional(0);
    URI server = ServerUrl.url(invocation);
    if (!listening(server)) {
      invocation
          .err()
          .println(
              "error[server-unavailable]: no agent-msg server answers at "
                  + server
                  + " (start one with: agent-msg server)");
      return ExitCodes.FAILED;
    }
    Path home = invocation.options(null).home();
    String code = ConsoleCodes.mint(home);
    String scheme = server.getScheme().equals("wss") ? "https" : "http";
    String url = scheme + "://" + server.getRawAuthority() + "/console/" + "#code=" + code;
    if (invocation.json()) {
      invocation.out().println("{\"url\":\"" + url + "\"}");
    } else {
      invocation
          .out()
          .println(
              "Open this link within "
                  + ConsoleCodes.LIFETIME.toMinutes()
                  + " minutes (it works once):");
      invocation.out().println(url);
    }
    return ExitCodes.OK;
  }

  private static boolean listening(URI server) {
    int port =
        server.getPort() > 0 ? server.getPort() : server.getScheme().equals("wss") ? 443 : 80;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(server.getHost(), port), 2_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
