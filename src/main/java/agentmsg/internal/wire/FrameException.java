package agentmsg.internal.wire;

/**
 * A frame that cannot be handled: not JSON, an unknown type, a missing or wrong field. The server
 * answers it with an {@code error} frame carrying {@link #code()} and {@link #ref()}; the
 * connection stays open.
 */
public final class FrameException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final String ref;

  public FrameException(String code, String message) {
    this(code, message, null);
  }

  public FrameException(String code, String message, String ref) {
    super(message, null, false, false);
    this.code = code;
    this.ref = ref;
  }

  /** A stable code such as {@code bad-frame} or {@code unknown-type}. */
  public String code() {
    return code;
  }

  /** The id the failing frame carried (its client id or message id), or null. */
  public String ref() {
    return ref;
  }
}
