package agentmsg;

/** A file in the data home could not be read or written. */
public final class MailboxException extends AgentMsgException {
  private static final long serialVersionUID = 1L;

  public MailboxException(String message, Throwable cause) {
    super("mailbox-io", message, cause);
  }
}
