package agentmsg;

/**
 * The database file of a data home is damaged: H2 cannot read it. {@code agent-msg doctor --repair}
 * sets it aside and rebuilds the store from what H2's recovery tool saves and the mirror files.
 */
public final class StoreCorruptException extends AgentMsgException {
  private static final long serialVersionUID = 1L;

  public StoreCorruptException(String message, Throwable cause) {
    super("store-corrupt", message, cause);
  }
}
