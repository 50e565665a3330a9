package agentmsg.cli;

import agentmsg.Agent;
import agentmsg.AgentMessenger;
import java.util.List;
import org.apache.commons.cli.Options;

/** {@code list}: the registered agents. */
final class ListCommand extends Command {
  @Override
  String name() {
    return "list";
  }

  @Override
  String arguments() {
    return "";
  }

  @Override
  String summary() {
    return "List registered agents with type, registration time and last activity";
  }

  @Override
  Options options() {
    return withDatabase(new Options());
  }

  @Override
  int run(Invocation invocation) {
    invocation.allowPositional(0);
    List<Agent> agents;
    try (AgentMessenger messenger = invocation.managingMessenger(null)) {
      agents = messenger.agents();
    }
    if (invocation.json()) {
      for (Agent agent : agents) {
        Output.agent(invocation.out(), agent);
      }
    } else if (agents.isEmpty()) {
      invocation
          .out()
          .println("No agents registered (register one: agent-msg register <name> -t <type>)");
    } else {
      Output.agentTable(invocation.out(), agents);
    }
    return ExitCodes.OK;
  }
}
