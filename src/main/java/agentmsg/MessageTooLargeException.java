package agentmsg;

/** A message body over the configured maximum size. */
public final class MessageTooLargeException extends InvalidMessageException {
  private static final long serialVersionUID = 1L;

  public MessageTooLargeException(long sizeBytes, long limitBytes) {
    super(
        "message-too-large",
        "message is "
            + sizeBytes
            + " bytes, over the limit of "
            + limitBytes
            + " bytes (send a path to a file instead)");
  }
}
