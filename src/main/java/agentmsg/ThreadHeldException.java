package agentmsg;

/**
 * A send refused by the loop guard: its thread has had its limit of agent-to-agent messages in a
 * row with no human in between. Nothing was stored. A message from a {@code human} agent releases
 * the thread, and so does a higher limit for it.
 */
public final class ThreadHeldException extends AgentMsgException {
  private static final long serialVersionUID = 1L;

  private final String thread;

  public ThreadHeldException(String thread, int limit) {
    super(ErrorCode.THREAD_HELD.id(), Sent.heldNotice(thread, limit) + "; nothing was sent");
    this.thread = thread;
  }

  /** The held thread. */
  public String thread() {
    return thread;
  }
}
