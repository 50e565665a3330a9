package agentmsg.cli;

import agentmsg.AgentMsgException;
import agentmsg.AgentNames;
import agentmsg.RemoteMessenger;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import org.apache.commons.cli.Options;

/**
 * {@code ping <agent>}: asks the server whether the agent has a live receiving connection. Exit 0
 * when it is online, 1 when it is offline or the server cannot be reached.
 */
final class PingCommand extends Command {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  @Override
  String name() {
    return "ping";
  }

  @Override
  String arguments() {
    return "<agent>";
  }

  @Override
  String summary() {
    return "Ask the server whether an agent is connected; exit 0 online, 1 offline";
  }

  @Override
  String details() {
    return "A real round trip to the server, which answers from its live connections.";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(
            value("s", "from", "name", "Whose token to use (default: AGENT_MSG_AGENT, host name)"))
        .addOption(ServerUrl.urlOption())
        .addOption(ServerUrl.headerOption())
        .addOption(ServerUrl.tokenFileOption())
        .addOption(ServerUrl.caOption())
        .addOption(value(null, "timeout", "seconds", "Give up after this long (default: 5)"));
  }

  @Override
  int run(Invocation invocation) throws InterruptedException {
    String agent = invocation.positional(0);
    if (agent == null) {
      throw new UsageException("missing the agent to ping");
    }
    invocation.allowPositional(1);
    AgentNames.requireValid(agent);
    Duration timeout = invocation.secondsValue("timeout", DEFAULT_TIMEOUT, 3600);
    long deadline = System.nanoTime() + timeout.toNanos();
    URI url = ServerUrl.url(invocation);
    String from = invocation.options(null).agent();
    ServerUrl.Credentials credentials = ServerUrl.credentials(invocation, from, url);
    try (RemoteMessenger messenger =
        RemoteMessenger.sendOnly(
            ServerUrl.server(invocation, credentials),
            from,
            timeout,
            warning -> {})) { // a reconnect is retried within the timeout; the outcome is one line
      long sentAt = System.nanoTime();
      RemoteMessenger.Presence presence;
      try {
        presence =
            messenger.ping(agent, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      } catch (AgentMsgException e) {
        if (!e.code().equals("server-unavailable")) {
          throw e;
        }
        if (messenger.connected()) {
          invocation
              .err()
              .println(
                  "error[timeout]: no pong from the server within " + timeout.toMillis() + " ms");
          return ExitCodes.TIMEOUT;
        }
        invocation
            .err()
            .println(
                "error[connection-lost]: the connection to "
                    + messenger.server()
                    + " closed before the pong (see: agent-msg server; try again)");
        return ExitCodes.FAILED;
      }
      if (!presence.known()) {
        invocation
            .err()
            .println(
                "error[old-server]: "
                    + url
                    + " is an original agent-msg server: it answered the ping"
                    + String.format(Locale.ROOT, " (round trip %.1f ms)", elapsedMillis(sentAt))
                    + " but cannot tell whether "
                    + agent
                    + " is online (upgrade it to agent-msg server)");
        return ExitCodes.FAILED;
      }
      boolean online = Boolean.TRUE.equals(presence.online());
      if (invocation.json()) {
        invocation.out().println(presence.toJsonLine());
      } else {
        invocation
            .out()
            .println(
                agent
                    + " is "
                    + (online ? "online" : "offline")
                    + String.format(Locale.ROOT, " (round trip %.1f ms)", elapsedMillis(sentAt)));
      }
      return online ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }

  private static double elapsedMillis(long since) {
    return (System.nanoTime() - since) / 1e6;
  }
}
