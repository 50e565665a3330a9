package agentmsg.cli;

import agentmsg.AgentNames;
import agentmsg.internal.client.WireClient;
import agentmsg.internal.client.WireConnection;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.FrameCodec;
import agentmsg.internal.wire.ServerFrame;
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
    ServerUrl.Credentials credentials =
        ServerUrl.credentials(invocation, invocation.options(null).agent(), url);
    try (WireClient client = WireClient.start(ServerUrl.ca(invocation));
        WireConnection connection =
            client.connect(url, credentials.headers(), timeout, credentials.unauthorizedHint())) {
      long sentAt = System.nanoTime();
      connection.send(new ClientFrame.Ping(agent));
      while (true) {
        WireConnection.Event event =
            connection.next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (event == null) {
          invocation
              .err()
              .println(
                  "error[timeout]: no pong from the server within " + timeout.toMillis() + " ms");
          return ExitCodes.TIMEOUT;
        }
        if (event instanceof WireConnection.Closed closed) {
          invocation
              .err()
              .println(
                  "error[connection-lost]: "
                      + closed.describe()
                      + " before the pong (see: agent-msg server; try again)");
          return ExitCodes.FAILED;
        }
        ServerFrame frame = ((WireConnection.Frame) event).frame();
        if (frame instanceof ServerFrame.Error error) {
          invocation.err().println("error[" + error.code() + "]: " + error.message());
          return ExitCodes.FAILED;
        }
        // The original server answers a ping too, with neither the agent nor whether it is online.
        if (frame instanceof ServerFrame.Pong pong
            && pong.agent() == null
            && pong.online() == null) {
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
        if (frame instanceof ServerFrame.Pong pong && agent.equals(pong.agent())) {
          double millis = (System.nanoTime() - sentAt) / 1e6;
          boolean online = Boolean.TRUE.equals(pong.online());
          if (invocation.json()) {
            invocation.out().println(FrameCodec.write(pong));
          } else {
            invocation
                .out()
                .println(
                    agent
                        + " is "
                        + (online ? "online" : "offline")
                        + String.format(Locale.ROOT, " (round trip %.1f ms)", millis));
          }
          return online ? ExitCodes.OK : ExitCodes.FAILED;
        }
      }
    }
  }

  private static double elapsedMillis(long since) {
    return (System.nanoTime() - since) / 1e6;
  }
}
