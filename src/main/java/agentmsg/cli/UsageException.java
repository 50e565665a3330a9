package agentmsg.cli;

/** A command line that cannot be run as given; printed as {@code error[usage]} with exit 2. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
