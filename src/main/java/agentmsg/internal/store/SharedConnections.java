package agentmsg.internal.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jdbi.v3.core.ConnectionFactory;

/**
 * Opens connections through the {@link OpenLock}, and gives the owner lock back when an owning
 * connection closes.
 */
final class SharedConnections implements ConnectionFactory {
  /** How long a closing owner waits for the clients connected through it to finish. */
  private static final Duration LINGER = Duration.ofSeconds(3);

  /** How many processes are connected through this process's database server. */
  static final String CLIENT_SESSIONS =
      "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE CLIENT_ADDR IS NOT NULL";

  private final Path home;
  private final Duration timeout;
  private final Store.Mode mode;
  private final OpenLock openLock;
  private final OpenLock.Opener opener;
  private final Set<Connection> owning = Collections.newSetFromMap(new IdentityHashMap<>());
  private boolean hostStarted;
  private Early early = Early.NONE;

  SharedConnections(
      Path home, Duration timeout, Store.Mode mode, OpenLock openLock, OpenLock.Opener opener) {
    this.home = home;
    this.timeout = timeout;
    this.mode = mode;
    this.openLock = openLock;
    this.opener = opener;
  }

  /** Starts making the first connection on a background thread; the first use takes it. */
  synchronized void connectEarly() {
    CompletableFuture<OpenLock.Opened> future = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                future.complete(firstConnection());
              } catch (Throwable failure) {
                future.completeExceptionally(failure);
              }
            },
            "agent-msg-store-open");
    thread.setDaemon(true);
    early = new Early(future, thread);
    thread.start();
  }

  /** The early connection, waited for, or null when it was taken already. */
  private OpenLock.Opened takeEarly() throws SQLException {
    CompletableFuture<OpenLock.Opened> future = clearEarly().future();
    if (future == null) {
      return null;
    }
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /**
   * Gives up an early connection nobody took: closes it, waiting for it first if it is still being
   * made (interrupted, which ends a wait for the owner's turn), so nothing runs on after close.
   */
  void discardEarly() {
    Early cleared = clearEarly();
    CompletableFuture<OpenLock.Opened> future = cleared.future();
    Thread thread = cleared.thread();
    if (future == null) {
      return;
    }
    if (!future.isDone()) {
      thread.interrupt();
    }
    OpenLock.Opened opened;
    try {
      opened = future.join();
    } catch (CompletionException | CancellationException failed) {
      return; // nothing was opened
    }
    try {
      register(opened, false);
      closeConnection(opened.connection());
    } catch (SQLException | RuntimeException alreadyGone) {
      // Closing is all that was left to do.
    }
  }

  /** The early connection, no longer held here ({@link Early#NONE} once taken). */
  private synchronized Early clearEarly() {
    Early cleared = early;
    early = Early.NONE;
    return cleared;
  }

  /** The first connection being made in the background, and the thread making it. */
  private record Early(CompletableFuture<OpenLock.Opened> future, Thread thread) {
    static final Early NONE = new Early(null, null);
  }

  @Override
  public Connection openConnection() throws SQLException {
    OpenLock.Opened opened = takeEarly();
    if (opened == null) {
      opened = openLock.connect(opener, timeout, mode == Store.Mode.OWNER);
    }
    return register(opened, mode == Store.Mode.SHARED_WITH_HOST);
  }

  /** The first connection, made the way {@code mode} asks. */
  private OpenLock.Opened firstConnection() throws SQLException {
    if (mode == Store.Mode.PREFER_OWNER && StoreHost.isRunning(home)) {
      StoreHost.requestHandOver(home);
      try {
        return openLock.connect(opener, StoreHost.HAND_OVER_WAIT, true);
      } catch (SQLTransientConnectionException stillThere) {
        // The host did not leave in time (or someone else owns the file): share it.
      }
    }
    return openLock.connect(opener, timeout, mode == Store.Mode.OWNER);
  }

  /**
   * Tracks an owning connection (its close gives the owner lock back) and, with {@code startHost},
   * starts a store host the first time this store reaches the file (it returns at once when one
   * runs).
   */
  private Connection register(OpenLock.Opened opened, boolean startHost) {
    if (opened.owner()) {
      boolean start;
      synchronized (owning) {
        owning.add(opened.connection());
        start = startHost && !hostStarted;
        hostStarted |= start;
      }
      if (start) {
        StoreHost.start(home);
      }
    } else if (startHost && !hostStarted) {
      // Connected through another owner (a server, a poll): a host still runs the CLI calls, as
      // a client of that owner, until it can own the file itself.
      hostStarted = true;
      StoreHost.start(home);
    }
    return opened.connection();
  }

  @Override
  public void closeConnection(Connection connection) throws SQLException {
    boolean owner;
    synchronized (owning) {
      owner = owning.remove(connection);
    }
    try {
      if (owner && openLock.isLastHold()) {
        lingerForClients(connection);
        Housekeeping.compactIfSparse(connection);
      }
      connection.close();
    } finally {
      if (owner) {
        openLock.release();
      }
    }
  }

  /**
   * Before the owner closes the database, lets the other processes connected through it finish
   * (bounded): closing under them would break their sessions and send them all back to the door.
   */
  private void lingerForClients(Connection connection) {
    long deadline = System.nanoTime() + LINGER.toNanos();
    try (var statement = connection.prepareStatement(CLIENT_SESSIONS)) {
      while (System.nanoTime() - deadline < 0) {
        try (var rows = statement.executeQuery()) {
          if (!rows.next() || rows.getInt(1) == 0) {
            return;
          }
        }
        Thread.sleep(5);
      }
    } catch (SQLException broken) {
      // Nothing to wait for on a broken connection.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
