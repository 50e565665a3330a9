package agentmsg.cli;

import agentmsg.AgentMsgException;
import agentmsg.server.AgentMsgServer;
import agentmsg.server.ServerOptions;
import org.apache.commons.cli.Options;

/**
 * {@code server}: runs the WebSocket server on the data home until stopped (Ctrl-C or SIGTERM).
 * Prints the URL it listens on to standard output; logs to standard error.
 */
final class ServerCommand extends Command {
  @Override
  String name() {
    return "server";
  }

  @Override
  String arguments() {
    return "";
  }

  @Override
  String summary() {
    return "Run the WebSocket server that pushes each message to its connected recipient";
  }

  @Override
  String details() {
    return "Listens on 127.0.0.1:"
        + ServerOptions.DEFAULT_PORT
        + " by default and shares the data home with the other commands:\n"
        + "a message sent by 'agent-msg send' in another process is pushed at once.\n"
        + "Only loopback addresses are accepted until authentication exists; reach a remote\n"
        + "server through an SSH tunnel. Stop it with Ctrl-C or SIGTERM: queued messages are\n"
        + "stored and answered first.";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(
            value("p", "port", "port", "Port to listen on (default: 18790; 0: any free port)"))
        .addOption(value(null, "host", "address", "Address to listen on (default: 127.0.0.1)"))
        .addOption(flag("q", "quiet", "Log connects and disconnects only, not each delivery"));
  }

  @Override
  int run(Invocation invocation) throws InterruptedException {
    invocation.allowPositional(0);
    ServerOptions.Builder builder =
        ServerOptions.builder().environment(invocation.env()).log(invocation.err());
    builder.logDeliveries(!invocation.line().hasOption("quiet"));
    if (invocation.line().hasOption("port")) {
      builder.port((int) invocation.longValue("port", 0, 65535));
    }
    if (invocation.line().hasOption("host")) {
      try {
        builder.host(invocation.line().getOptionValue("host"));
      } catch (AgentMsgException e) {
        invocation.err().println("error[" + e.code() + "]: " + e.getMessage());
        return ExitCodes.USAGE;
      }
    }
    AgentMsgServer server = AgentMsgServer.start(builder.build());
    Thread hook = new Thread(server::stop, "agent-msg-server-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    invocation.out().println("agent-msg server listening on " + server.uri());
    invocation.out().flush();
    server.awaitStop();
    return ExitCodes.OK;
  }
}
