package agentmsg.cli;

import agentmsg.Agent;
import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.DataHome;
import java.util.Optional;
import org.apache.commons.cli.Options;

/** {@code register [name] -t <type>}: registers an agent or updates its type. */
final class RegisterCommand extends Command {
  @Override
  String name() {
    return "register";
  }

  @Override
  String arguments() {
    return "[name]";
  }

  @Override
  String summary() {
    return "Register an agent (default name: -s, AGENT_MSG_AGENT, or the host name)";
  }

  @Override
  String details() {
    return "Registering again updates the type and keeps the agent's messages and token.\n"
        + "A new agent gets a token for the WebSocket server in <data home>/tokens/<agent>.token\n"
        + "(readable by you only; see: agent-msg token).\n"
        + "Types: "
        + AgentType.allIds()
        + " (default for a new agent: other).";
  }

  @Override
  Options options() {
    return withDatabase(
        new Options()
            .addOption(value("t", "type", "type", "Agent type: " + AgentType.allIds()))
            .addOption(value("s", "from", "name", "The agent to register, if no name is given")));
  }

  @Override
  int run(Invocation invocation) {
    invocation.allowPositional(1);
    String typeText = invocation.line().getOptionValue("type");
    AgentType requested =
        typeText == null ? null : Invocation.userValue(() -> AgentType.parse(typeText));
    try (AgentMessenger messenger = invocation.managingMessenger(invocation.positional(0))) {
      Optional<Agent> before = messenger.findAgent(messenger.agent());
      AgentType type =
          requested != null ? requested : before.map(Agent::type).orElse(AgentType.OTHER);
      Agent agent = messenger.register(type);
      issueToken(invocation, agent.name());
      if (invocation.json()) {
        Output.agent(invocation.out(), agent);
      } else if (before.isPresent()) {
        invocation
            .out()
            .println("Updated " + agent.name() + " (" + agent.type().id() + "); messages kept");
      } else {
        invocation.out().println("Registered " + agent.name() + " (" + agent.type().id() + ")");
      }
    }
    return ExitCodes.OK;
  }

  /** Gives a new agent its server token (kept on re-registering), never printing it. */
  private static void issueToken(Invocation invocation, String agent) {
    agentmsg.Options options = invocation.optionsWithDatabase(agent);
    try (DataHome dataHome = Invocation.dataHome(options)) {
      dataHome.tokens(invocation::warn).ensure(agent);
    }
  }
}
