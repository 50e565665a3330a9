package agentmsg;

/** A message was addressed to, or a read asked for, an agent that is not registered. */
public final class UnknownAgentException extends AgentMsgException {
  private static final long serialVersionUID = 1L;

  private final String agent;

  public UnknownAgentException(String agent) {
    super("unknown-agent", "no agent named '" + agent + "' (see: agent-msg list)");
    this.agent = agent;
  }

  /** The name that was not found. */
  public String agent() {
    return agent;
  }
}
