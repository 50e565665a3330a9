package agentmsg;

/** The message store could not be opened or used, even after retrying for the configured time. */
public final class StoreUnavailableException extends AgentMsgException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super("store-unavailable", message, cause);
  }
}
