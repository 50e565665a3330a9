package agentmsg;

/**
 * The base of every failure agent-msg reports. Each carries a stable {@linkplain #code() code} that
 * the command line prints as {@code error[code]} and the wire protocol sends in error frames, so
 * that callers (mostly agents) can branch on it without parsing the message text.
 */
public class AgentMsgException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  public AgentMsgException(String code, String message) {
    super(message);
    this.code = code;
  }

  public AgentMsgException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** A stable, lower-case, hyphenated code such as {@code unknown-agent}. */
  public String code() {
    return code;
  }
}
