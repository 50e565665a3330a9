package agentmsg;

/** An agent name that breaks the naming rule: 1-64 of {@code [A-Za-z0-9._-]}, no leading dot. */
public final class InvalidAgentNameException extends AgentMsgException {
  private static final long serialVersionUID = 1L;

  public InvalidAgentNameException(String name) {
    super(
        "invalid-name",
        "invalid agent name '"
            + name
            + "': use 1-64 characters of A-Z a-z 0-9 . _ -, not starting with a dot");
  }
}
