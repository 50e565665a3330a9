package agentmsg.internal.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Traffic control in front of H2's automatic mixed mode, so that many short-lived processes can
 * share one database file.
 *
 * <p>H2 lets the first process to open the file own it and serve it to the others over loopback
 * TCP. Its file-lock protocol, though, has every would-be owner rewrite the lock file and then wait
 * seconds for it to settle; a crowd of processes opening at once (or right after the owner died)
 * keeps the file "recently modified" for each other, and they fail for tens of seconds. So:
 *
 * <ul>
 *   <li>An operating-system lock ({@code .owner.lock}) is held by the process that owns the
 *       database, from before it opens it until it closes it, and by nobody else. The kernel
 *       releases it when that process dies, even on kill -9.
 *   <li>A process that gets the lock opens the database alone: it becomes the owner, or finds a
 *       live owner and connects to it.
 *   <li>A process that does not get the lock connects only once H2's lock file names a server that
 *       answers; otherwise it waits its turn. So at most one process at a time ever runs H2's slow
 *       locking path.
 * </ul>
 *
 * Correctness still rests on H2's own lock; this only removes the crowd. Thread-safe.
 */
final class OpenLock {
  /** Per data home: this JVM's hold on the owner lock, shared by its embedded connections. */
  private static final Map<Path, Hold> HOLDS = new HashMap<>();

  private final Path home;
  private final Path lockFile;
  private final Path h2LockFile;

  OpenLock(Path home, String databaseName) {
    this.home = home;
    this.lockFile = home.resolve(".owner.lock");
    this.h2LockFile = home.resolve(databaseName + ".lock.db");
  }

  /**
   * Opens a connection, waiting at most {@code timeout} for a turn.
   *
   * @param ownerOnly never connect through another process: wait until this one can own the file
   * @return the connection, and whether this process owns the database through it; an owning
   *     connection must be given back with {@link #release} after it is closed
   */
  Opened connect(Opener opener, Duration timeout, boolean ownerOnly) throws SQLException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 2;
    while (true) {
      Opened opened = tryAsOwner(opener, ownerOnly);
      if (opened != null) {
        return opened;
      }
      Server server = ownerOnly ? null : servingOwner();
      if (server != null) {
        // Straight to the owner's server: H2's own route would first try to open the file here.
        return new Opened(opener.openRemote(server.address(), server.key()), false);
      }
      if (System.nanoTime() - deadline > 0) {
        throw new SQLTransientConnectionException(
            "timed out waiting for the process that owns " + home + " to open or close it");
      }
      pause(pause);
      pause = Math.min(pause * 2, 50);
    }
  }

  /** Returns this process's share of the owner lock, taken by an owning connection. */
  void release() {
    synchronized (HOLDS) {
      Hold hold = HOLDS.get(home);
      if (hold != null && --hold.connections == 0) {
        HOLDS.remove(home);
        hold.close();
      }
    }
  }

  /** Whether exactly one owning connection of this JVM remains: closing it closes the database. */
  boolean isLastHold() {
    synchronized (HOLDS) {
      Hold hold = HOLDS.get(home);
      return hold != null && hold.connections == 1;
    }
  }

  /** Opens the database if this JVM holds or can take the owner lock; null if another does. */
  private Opened tryAsOwner(Opener opener, boolean ownerOnly) throws SQLException {
    synchronized (HOLDS) {
      Hold hold = HOLDS.get(home);
      boolean fresh = false;
      if (hold == null) {
        hold = Hold.tryTake(lockFile);
        if (hold == null) {
          return null;
        }
        fresh = true;
      }
      Connection connection;
      try {
        connection = opener.open();
      } catch (SQLException | RuntimeException e) {
        if (fresh) {
          hold.close();
        }
        throw e;
      }
      if (isRemote(connection)) {
        // A live owner that took the file without the lock (a process of an older version, which
        // connected through H2's own route): use it, hold nothing; or wait for it to close.
        if (fresh) {
          hold.close();
        }
        if (ownerOnly) {
          connection.close();
          return null;
        }
        return new Opened(connection, false);
      }
      hold.connections++;
      HOLDS.put(home, hold);
      return new Opened(connection, true);
    }
  }

  /** The server H2's lock file names, if it accepts a connection right now; else null. */
  private Server servingOwner() {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(h2LockFile)) {
      properties.load(in);
    } catch (NoSuchFileException noOwner) {
      return null;
    } catch (IOException | IllegalArgumentException unreadable) {
      return null; // being rewritten: look again shortly
    }
    String server = properties.getProperty("server");
    String key = properties.getProperty("id");
    int colon = server == null ? -1 : server.lastIndexOf(':');
    if (colon < 0 || key == null || key.isEmpty()) {
      return null;
    }
    try (Socket probe = new Socket()) {
      probe.connect(
          new InetSocketAddress(
              server.substring(0, colon), Integer.parseInt(server.substring(colon + 1))),
          500);
      return new Server(server, key);
    } catch (IOException | NumberFormatException notServing) {
      return null;
    }
  }

  private static boolean isRemote(Connection connection) throws SQLException {
    return connection.unwrap(org.h2.jdbc.JdbcConnection.class).getSession().isRemote();
  }

  private static void pause(long millis) throws SQLException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLTransientConnectionException(
          "interrupted while waiting to open the database", e);
    }
  }

  /** A connection and whether it makes this process the database's owner. */
  record Opened(Connection connection, boolean owner) {}

  /**
   * The owning process's H2 server: its {@code host:port}, and the key that names this database on
   * it.
   */
  record Server(String address, String key) {}

  /** Makes the actual connections. */
  interface Opener {
    /** Opens the file, or connects through its owner as H2 itself finds it. */
    Connection open() throws SQLException;

    /** Connects to the owner's server. */
    Connection openRemote(String address, String key) throws SQLException;
  }

  /** The operating-system lock, held while this JVM has embedded connections open. */
  private static final class Hold {
    private final FileChannel channel;
    private final FileLock lock;
    private int connections;

    private Hold(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    static Hold tryTake(Path lockFile) throws SQLException {
      FileChannel channel = null;
      try {
        channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
          channel.close();
          return null;
        }
        return new Hold(channel, lock);
      } catch (OverlappingFileLockException notPossibleUnderTheMonitor) {
        closeQuietly(channel);
        return null;
      } catch (IOException e) {
        closeQuietly(channel);
        throw new SQLTransientConnectionException("cannot use " + lockFile + ": " + e, e);
      }
    }

    void close() {
      try {
        lock.release();
      } catch (IOException ignored) {
        // Closing the channel below releases it as well.
      }
      closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // Nothing left to release.
        }
      }
    }
  }
}
