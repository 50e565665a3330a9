package agentmsg.cli;

/** The process exit codes, documented in the README. */
final class ExitCodes {
  /** It worked. */
  static final int OK = 0;

  /** The operation failed (unknown agent, store unavailable, ...). */
  static final int FAILED = agentmsg.ErrorCode.Exit.FAILED;

  /** The command line was wrong: unknown option, missing argument, bad value. */
  static final int USAGE = agentmsg.ErrorCode.Exit.USAGE;

  /** A bounded wait ended with nothing to report (e.g. {@code wait} found no message). */
  static final int TIMEOUT = agentmsg.ErrorCode.Exit.TIMEOUT;

  /** {@code watch}: a watcher for this agent and session is armed already. */
  static final int ALREADY_ARMED = 4;

  private ExitCodes() {}
}
