package agentmsg.server;

/** How clients prove who they are. */
public enum ServerAuth {
  /**
   * Per-agent tokens (the default): a connection carries the token of one agent, issued by {@code
   * register} into the data home, and can act only as that agent.
   */
  TOKENS,
  /**
   * A shared team secret: whoever has it may act as any agent (one per connection). Per-agent
   * tokens are accepted too.
   */
  SHARED_SECRET,
  /** No authentication: any client may act as any agent. Only on loopback. */
  NONE
}
