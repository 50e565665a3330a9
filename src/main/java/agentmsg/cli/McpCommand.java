package agentmsg.cli;

import agentmsg.Agent;
import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Options;
import agentmsg.RemoteMessenger;
import agentmsg.mcp.MailboxMcpServer;
import java.io.PrintStream;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code mcp [--agent <name>] [-u <url>]}: serves the agent's mailbox as an MCP server on
 * stdin/stdout until the client closes stdin: the local store's, or with a server URL ({@code -u}
 * or {@code AGENT_MSG_URL}) the server's, over one receiving connection and no local store. Only
 * this command loads the MCP SDK (through {@code agentmsg.mcp}).
 */
final class McpCommand extends Command {
  @Override
  String name() {
    return "mcp";
  }

  @Override
  String arguments() {
    return "";
  }

  @Override
  String summary() {
    return "Serve an agent's mailbox as an MCP server on stdio (for Claude Code, Codex, OpenCode)";
  }

  @Override
  String details() {
    return """
        Tools: send, inbox, wait_for_message, reply, history, list_agents, message_status.
        Registers the agent if needed. stdout carries the protocol; diagnostics go to stderr.
        With -u (or AGENT_MSG_URL) every tool goes to that server as the agent, authenticated
        as connect is, and no local store is opened.
        Set up, e.g.: claude mcp add agent-msg -- agent-msg mcp --agent <name>""";
  }

  @Override
  org.apache.commons.cli.Options options() {
    return new org.apache.commons.cli.Options()
        .addOption(
            value(null, "agent", "name", "The agent to act as (default: -s, AGENT_MSG_AGENT)"))
        .addOption(value("s", "from", "name", "The agent to act as, if --agent is not given"))
        .addOption(value("t", "type", "type", "Agent type when registering: " + AgentType.allIds()))
        .addOption(
            value("i", "interval", "ms", "Safety-net re-check interval in ms (default: 2000)"))
        .addOption(ServerUrl.urlOption())
        .addOption(ServerUrl.headerOption())
        .addOption(ServerUrl.tokenFileOption())
        .addOption(ServerUrl.caOption());
  }

  /** Whether the mailbox is a server's: {@code -u}, or {@code AGENT_MSG_URL}. */
  private static boolean remote(Invocation invocation) {
    if (invocation.line().hasOption("url")) {
      return true;
    }
    String fromEnv = invocation.env().get(agentmsg.Options.ENV_URL);
    return fromEnv != null && !fromEnv.isBlank();
  }

  private static int runRemote(Invocation invocation) throws InterruptedException {
    if (invocation.line().hasOption("type")) {
      throw new UsageException(
          "--type cannot be set through a server (-u): register the agent on the server's machine"
              + " (agent-msg register -t <type>); a new agent is registered as 'other'");
    }
    String agent = invocation.options(invocation.line().getOptionValue("agent")).agent();
    URI url = ServerUrl.url(invocation);
    ServerUrl.Credentials credentials = ServerUrl.credentials(invocation, agent, url);
    AtomicReference<MailboxMcpServer> serving = new AtomicReference<>();
    PrintStream stdout = System.out;
    System.setOut(invocation.err());
    try (RemoteMessenger mailbox =
        RemoteMessenger.receive(
            ServerUrl.server(invocation, credentials),
            agent,
            false,
            warnings(invocation, serving)::accept)) {
      serve(
          serving,
          MailboxMcpServer.start(mailbox, invocation.in(), invocation.out(), Usage.version()));
    } finally {
      System.setOut(stdout);
    }
    return ExitCodes.OK;
  }

  @Override
  int run(Invocation invocation) throws InterruptedException {
    invocation.allowPositional(0);
    if (remote(invocation)) {
      return runRemote(invocation);
    }
    String typeText = invocation.line().getOptionValue("type");
    AgentType requested =
        typeText == null ? null : Invocation.userValue(() -> AgentType.parse(typeText));
    AtomicReference<MailboxMcpServer> serving = new AtomicReference<>();
    Options options =
        invocation.options(invocation.line().getOptionValue("agent")).toBuilder()
            .storeHost(false) // it runs on: while it owns the file, calls connect through it
            .warningListener(warnings(invocation, serving))
            .build();
    // stdout belongs to the protocol: anything a library prints there would corrupt it.
    PrintStream stdout = System.out;
    System.setOut(invocation.err());
    try (AgentMessenger messenger = AgentMessenger.open(options)) {
      Optional<Agent> known = messenger.findAgent(messenger.agent());
      if (requested != null || known.isEmpty()) {
        messenger.register(requested != null ? requested : AgentType.OTHER);
      }
      serve(
          serving,
          MailboxMcpServer.start(messenger, invocation.in(), invocation.out(), Usage.version()));
    } finally {
      System.setOut(stdout);
    }
    return ExitCodes.OK;
  }

  /** Warnings go to stderr and, while it serves, to the MCP client as log messages. */
  private static Consumer<String> warnings(
      Invocation invocation, AtomicReference<MailboxMcpServer> serving) {
    return warning -> {
      invocation.warn(warning);
      MailboxMcpServer server = serving.get();
      if (server != null) {
        server.log(warning);
      }
    };
  }

  /** Serves until the client closes stdin, then closes {@code server}. */
  private static void serve(AtomicReference<MailboxMcpServer> serving, MailboxMcpServer server)
      throws InterruptedException {
    try (server) {
      serving.set(server);
      // Nothing on stderr on a clean start: MCP clients (Claude Code) log every stderr line as
      // an error. The client learns whose mailbox it is from the server's tools.
      server.awaitInputClosed();
      serving.set(null);
    }
  }
}
