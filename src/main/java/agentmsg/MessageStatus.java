package agentmsg;

/** Where a message is on its way: each state implies the ones before it. */
public enum MessageStatus {
  /** Committed to the store; the recipient has not seen it yet. */
  STORED,
  /** Pushed to a connected client of the recipient, which acknowledged receiving it. */
  DELIVERED,
  /** Shown to the recipient by {@code inbox}, {@code poll}, {@code wait} or a client. */
  READ,
  /** Explicitly acknowledged by the recipient. */
  ACKED;

  /** The lower-case name used in text and JSON output. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
