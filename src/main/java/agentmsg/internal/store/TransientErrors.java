package agentmsg.internal.store;

import java.sql.SQLException;
import java.util.Set;

/**
 * Which store failures go away by themselves: the database file is held by a process that is just
 * starting or has just died, a connection to the owning process broke, or a lock timed out. These
 * are retried with backoff; everything else is a real error.
 */
final class TransientErrors {
  private static final Set<Integer> CODES =
      Set.of(
          8000, // ERROR_OPENING_DATABASE: "lock file recently modified", "another process was
          // faster"
          90020, // DATABASE_ALREADY_OPEN: the file is locked by a process not serving it yet
          90067, // CONNECTION_BROKEN: the owning process went away
          90098, // DATABASE_IS_CLOSED
          90121, // DATABASE_CALLED_AT_SHUTDOWN
          90028, // IO_EXCEPTION_1 (e.g. a refused connection to a dead owner)
          90031, // IO_EXCEPTION_2
          90135, // DATABASE_IS_IN_EXCLUSIVE_MODE
          50200, // LOCK_TIMEOUT
          40001, // DEADLOCK
          90131 // CONCURRENT_UPDATE
          );

  /**
   * PostgreSQL's transient states (it reports no vendor codes): a broken or refused connection
   * (class 08), a serialization failure or deadlock, a server shutting down or starting, too many
   * connections. The work is retried on a new connection.
   */
  private static final Set<String> STATES = Set.of("40001", "40P01", "57P01", "57P02", "57P03");

  private TransientErrors() {}

  private static boolean isTransientState(String state) {
    return state != null
        && (state.startsWith("08") || STATES.contains(state) || "53300".equals(state));
  }

  /** Whether {@code failure} or one of its causes is a transient H2 error. */
  static boolean isTransient(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.sql.SQLTransientException) {
        return true; // e.g. waiting for our turn to open the database timed out
      }
      if (cause instanceof SQLException sql) {
        for (SQLException next = sql; next != null; next = next.getNextException()) {
          if (CODES.contains(next.getErrorCode()) || isTransientState(next.getSQLState())) {
            return true;
          }
        }
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /**
   * Whether {@code failure} is a connection that could not be made or broke (SQL state class 08:
   * refused, unreachable, dropped), as opposed to an error of the work on a live connection.
   */
  static boolean isConnectionFailure(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState().startsWith("08");
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /** The first SQL state in the cause chain, or null. */
  static String sqlState(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql) {
        return sql.getSQLState();
      }
    }
    return null;
  }

  /** The first SQL error code in the cause chain, or 0. */
  static int errorCode(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql) {
        return sql.getErrorCode();
      }
    }
    return 0;
  }
}
