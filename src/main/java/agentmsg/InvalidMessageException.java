package agentmsg;

/** A message that cannot be sent as it is, e.g. an empty body. */
public class InvalidMessageException extends AgentMsgException {
  private static final long serialVersionUID = 1L;

  public InvalidMessageException(String code, String message) {
    super(code, message);
  }
}
