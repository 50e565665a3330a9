package agentmsg.internal.store;

import agentmsg.StoreCorruptException;
import agentmsg.StoreUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.SqlStatements;

/**
 * The H2 database of one data home, shared by every agent-msg process on the machine.
 *
 * <p>H2 lets one process own a database file; with {@code AUTO_SERVER=TRUE} the others reach it
 * through the owner over loopback TCP, and when the owner dies one of them takes over. That
 * hand-over shows up as transient errors for a moment, so every unit of work runs through {@link
 * #call}, which retries it on a fresh connection with backoff until {@code timeout}. Work must
 * therefore be idempotent: inserts are keyed by a client-made id, updates are conditional.
 *
 * <p>{@code WRITE_DELAY=0} makes each commit reach the file before it returns (a process crash
 * loses nothing); {@link #sync} forces it to the disk (a power cut loses nothing).
 *
 * <p>Thread-safe: one connection, used by one thread at a time.
 */
public final class Store extends RowOperations implements AutoCloseable {
  /** The database file name inside the data home, without H2's {@code .mv.db} suffix. */
  public static final String FILE_NAME = "agent-msg";

  static {
    // The AUTO_SERVER port must only listen on loopback. H2 reads this once, when it loads.
    if (System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
  }

  /** H2's "wrong user name or password". */
  private static final int WRONG_USER_OR_PASSWORD = 28000;

  /** H2's "file corrupted while reading record" and "unsupported file format". */
  private static final int FILE_CORRUPTED = 90030;

  private static final int FILE_VERSION_ERROR = 90048;

  /** H2's MVStore "file corrupt" code ({@code DataUtils.ERROR_FILE_CORRUPT}). */
  private static final int MVSTORE_FILE_CORRUPT = 6;

  /** Every how many writing units of work this process takes a compaction step (Housekeeping). */
  private static final int HOUSEKEEPING_EVERY = 16;

  private final Path home;
  private final Dialect dialect;

  /** The shared PostgreSQL database, or null for the data home's H2 file. */
  private final Database database;

  private final String url;
  private final Duration timeout;

  /** How H2 connections reach the file; null on PostgreSQL. */
  private final SharedConnections connections;

  private final Jdbi jdbi;

  /** A PostgreSQL store's connections; null for H2, whose store keeps one connection. */
  private final PostgresPool pool;

  private final ReentrantLock lock = new ReentrantLock();
  private final org.h2.Driver driver = new org.h2.Driver();
  private String password;
  private Handle handle;
  private volatile boolean migrated;
  private volatile boolean closed;
  private long writes;
  private final Consumer<String> warnings;

  /**
   * The shared databases this process has reached at least once. A database never reached fails at
   * once (a wrong host or port, a server not running: retrying hides the mistake for the whole
   * timeout); one that answered before and drops is retried, as it comes back after a restart or a
   * fail-over.
   */
  private static final Set<String> REACHED = ConcurrentHashMap.newKeySet();

  /** The high-water mark as this process last read or wrote it; null when there is none. */
  private HighWater.Mark knownMark;

  private boolean markChecked;

  /** What the store lost, when it holds less than its high-water mark; else null. */
  private String rewound;

  private Store(Path home, Duration timeout, Mode mode, Consumer<String> warnings) {
    this.home = home;
    this.dialect = Dialect.H2;
    this.database = null;
    this.warnings = warnings;
    this.timeout = timeout;
    // MAX_COMPACT_TIME=0: H2 would compact the file on every close (about 100 ms of a CLI call);
    // the owner compacts it on close only when it is mostly dead chunks (Housekeeping).
    this.url =
        "jdbc:h2:file:"
            + home.resolve(FILE_NAME)
            + ";AUTO_SERVER=TRUE;WRITE_DELAY=0;MAX_COMPACT_TIME=0"
            // The store host keeps a database open; it never makes one.
            + (mode == Mode.OWNER ? ";IFEXISTS=TRUE" : "");
    this.connections =
        new SharedConnections(
            home,
            timeout,
            mode,
            new OpenLock(home, FILE_NAME),
            new OpenLock.Opener() {
              @Override
              public Connection open() throws SQLException {
                return connect();
              }

              @Override
              public Connection openRemote(String address, String key) throws SQLException {
                return driver.connect(
                    "jdbc:h2:tcp://" + address + "/" + key + ";IFEXISTS=TRUE",
                    credentials(password()));
              }
            });
    // Opening the file (about half of a short CLI call) overlaps with building Jdbi below.
    connections.connectEarly();
    this.pool = null;
    this.jdbi = configure(Jdbi.create(connections), dialect);
  }

  /**
   * A store on a shared PostgreSQL database: each unit of work takes a connection of the process's
   * pool for that database ({@link PostgresPool}) and gives it back, so the work of several threads
   * runs side by side. Commits there are durable when they return (PostgreSQL's {@code
   * synchronous_commit}), so {@link #sync} has nothing to add; the data home holds only what is
   * local (tokens, mirrors, logs).
   */
  private Store(Path home, Database database, Duration timeout, Consumer<String> warnings) {
    this.home = home;
    this.dialect = Dialect.POSTGRESQL;
    this.database = database;
    this.warnings = warnings;
    this.timeout = timeout;
    this.url = database.url();
    this.connections = null;
    this.pool = PostgresPool.acquire(database);
    this.jdbi = configure(Jdbi.create(pool.dataSource()), dialect);
  }

  private static Jdbi configure(Jdbi jdbi, Dialect dialect) {
    // Jdbi's default parser and template engine build ANTLR lexers: about 50 ms of every CLI call.
    jdbi.getConfig(SqlStatements.class)
        .setSqlParser(new PlainSql.Parser())
        .setTemplateEngine(new PlainSql.Templates())
        .define(Dialect.ATTRIBUTE, dialect);
    return jdbi;
  }

  /**
   * Opens a store on {@code database}, a PostgreSQL server shared by several agent-msg servers,
   * migrating its schema if needed (once, under PostgreSQL's advisory lock, whichever process comes
   * first); {@code home} holds what stays local. With a null {@code database}, the H2 store of
   * {@code home} as {@link #open(Path, Duration, Mode, Consumer)} opens it.
   */
  public static Store open(
      Path home, Database database, Duration timeout, Mode mode, Consumer<String> warnings) {
    if (database == null) {
      return open(home, timeout, mode, warnings);
    }
    return new Store(
        home.toAbsolutePath(),
        database,
        Objects.requireNonNull(timeout, "timeout"),
        Objects.requireNonNull(warnings, "warnings"));
  }

  /** The shared PostgreSQL database, or null for the data home's H2 file. */
  Database database() {
    return database;
  }

  /** The database this store runs on. */
  public Dialect dialect() {
    return dialect;
  }

  /** How a store reaches the database file, which one process owns at a time. */
  public enum Mode {
    /** Owns the file, or connects through the process that owns it. */
    SHARED,
    /**
     * Like {@link #SHARED}; when this process ends up owning the file, it also starts a store host
     * ({@code agent-msg host}), so that the next short-lived processes find the file open and
     * connect to it instead of opening it again. For CLI calls.
     */
    SHARED_WITH_HOST,
    /**
     * Prefers to own the file: asks a running store host to hand it over and waits briefly for it,
     * else connects through the owner. For the server, which writes the most.
     */
    PREFER_OWNER,
    /** Only owns the file, waiting for its turn, never through another process: the store host. */
    OWNER;

    /** {@link #SHARED_WITH_HOST} when {@code startHost}, else {@link #SHARED}. */
    public static Mode shared(boolean startHost) {
      return startHost ? SHARED_WITH_HOST : SHARED;
    }
  }

  /**
   * Opens the store of {@code home} in {@link Mode#SHARED} mode, creating the folder, the database
   * and its schema if needed. The first connection is made in the background at once and taken on
   * first use.
   *
   * @param timeout how long to retry while the database is busy changing hands
   */
  public static Store open(Path home, Duration timeout) {
    return open(home, timeout, Mode.SHARED);
  }

  /** Opens the store of {@code home}, reaching the file as {@code mode} says. */
  public static Store open(Path home, Duration timeout, Mode mode) {
    return open(home, timeout, mode, warning -> System.err.println("warning: " + warning));
  }

  /**
   * Opens the store of {@code home}, reaching the file as {@code mode} says; {@code warnings} hears
   * of a store that went back in time (once, when it is first reached).
   */
  public static Store open(Path home, Duration timeout, Mode mode, Consumer<String> warnings) {
    try {
      if (!Files.isDirectory(home)) {
        // The mail of every agent lives here: only its owner may read it.
        if (home.getFileSystem().supportedFileAttributeViews().contains("posix")) {
          Files.createDirectories(
              home,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectories(home);
        }
      }
    } catch (java.io.IOException e) {
      throw new StoreUnavailableException("cannot create data home " + home + ": " + e, e);
    }
    return new Store(
        home.toAbsolutePath(),
        timeout,
        Objects.requireNonNull(mode, "mode"),
        Objects.requireNonNull(warnings, "warnings"));
  }

  /**
   * Opens a JDBC connection with the data home's password. A database made before passwords existed
   * (empty password) gets the password on its first such connection.
   */
  private Connection connect() throws SQLException {
    String current = password();
    try {
      return driver.connect(url, credentials(current));
    } catch (SQLException e) {
      if (e.getErrorCode() != WRONG_USER_OR_PASSWORD) {
        throw e;
      }
      Connection legacy = driver.connect(url, credentials(""));
      try (var statement = legacy.createStatement()) {
        statement.execute("ALTER USER SA SET PASSWORD '" + current + "'");
      } catch (SQLException | RuntimeException failed) {
        legacy.close();
        throw failed;
      }
      return legacy;
    }
  }

  /** The database password, read from the data home once. */
  synchronized String password() {
    if (password == null) {
      password = DbPassword.load(home);
    }
    return password;
  }

  private static Properties credentials(String password) {
    Properties credentials = new Properties();
    credentials.setProperty("user", "sa");
    credentials.setProperty("password", password);
    return credentials;
  }

  /** The JDBC URL, for tools that need their own connection (the migration runner). */
  String url() {
    return url;
  }

  /** Where the messages are, as errors name it: the data home, or the database's safe URL. */
  private String where() {
    return database == null ? home.toString() : database.safeUrl();
  }

  /** The data home this store lives in. */
  public Path home() {
    return home;
  }

  /**
   * Runs {@code work} on this store's connection, retrying it on a fresh connection while the
   * failure is transient and {@code timeout} has not passed. Run writes inside {@code
   * handle.inTransaction} so a retry never sees half a unit of work.
   *
   * @throws StoreUnavailableException when the store stays unreachable for the whole timeout
   */
  @Override
  <T> T call(Work<T> work) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long backoffMillis = 5;
    while (true) {
      RuntimeException failure;
      // An H2 store has one connection, taken in turn; a PostgreSQL store lends one per call.
      boolean oneConnection = pool == null;
      if (oneConnection) {
        lock.lock();
      }
      try {
        if (closed) {
          throw new IllegalStateException("store of " + home + " is closed");
        }
        if (!oneConnection) {
          return onPooledConnection(work);
        }
        Handle current = handle();
        long version = Housekeeping.version(current);
        T result = work.run(current);
        // Every so many writes of a long-lived process; never after a read, which should not pay
        // for it. A short CLI call leaves it to the compaction on close.
        if (Housekeeping.version(current) != version && ++writes % HOUSEKEEPING_EVERY == 0) {
          Housekeeping.compact(current);
        }
        return result;
      } catch (SQLException e) {
        throwIfCorrupt(e);
        throwIfNeverReached(e);
        failure = new StoreUnavailableException(describe(e), e);
        if (!TransientErrors.isTransient(e)) {
          throw failure;
        }
        discardHandle();
      } catch (JdbiException e) {
        throwIfCorrupt(e);
        throwIfNeverReached(e);
        if (!TransientErrors.isTransient(e) && !connectionLost()) {
          throw new StoreUnavailableException(
              "message store error in " + where() + ": " + describe(e), e);
        }
        failure = e;
        discardHandle();
      } catch (RuntimeException e) {
        throwIfCorrupt(e);
        throwIfNeverReached(e);
        if (!TransientErrors.isTransient(e)) {
          throw e;
        }
        failure = e;
        discardHandle();
      } finally {
        if (oneConnection) {
          lock.unlock();
        }
      }
      if (System.nanoTime() - deadline > 0) {
        throw new StoreUnavailableException(
            "the message store in "
                + where()
                + " stayed busy for "
                + timeout.toSeconds()
                + " s: "
                + describe(failure),
            failure);
      }
      sleep(backoffMillis + ThreadLocalRandom.current().nextLong(backoffMillis + 1));
      backoffMillis = Math.min(backoffMillis * 2, 250);
    }
  }

  /**
   * Runs one batch of the server's writer in a transaction, like {@link #call} (retried on a fresh
   * connection while the failure is transient), then syncs it to disk if {@code mustSync} says so.
   * A retry after a lost connection may find its own first attempt committed: {@code work} hears
   * it, and a send found already stored runs again with the client ids looked up.
   */
  public <T> T inBatch(WriterBatch.Work<T> work, java.util.function.Predicate<T> mustSync) {
    int[] attempt = {0};
    return call(
        handle -> {
          attempt[0]++;
          boolean retry = attempt[0] > 1;
          T result;
          try {
            result = handle.inTransaction(tx -> work.run(new WriterBatch(tx), retry, retry));
          } catch (SendPipeline.AlreadyStored e) {
            result = handle.inTransaction(tx -> work.run(new WriterBatch(tx), retry, true));
          }
          if (mustSync.test(result)) {
            checkpointSync(handle);
          }
          return result;
        });
  }

  /** How many processes are connected to this process's database server right now. */
  int clientSessions() {
    return call(
        handle -> handle.createQuery(SharedConnections.CLIENT_SESSIONS).mapTo(Integer.class).one());
  }

  /** The file's version, which every commit raises; -1 when this process does not own it. */
  long version() {
    return call(Housekeeping::version);
  }

  /** One bounded compaction step, for an owner whose writes come from other processes. */
  void compactStep() {
    run(Housekeeping::compact);
  }

  /**
   * Forces everything committed so far to the disk. H2 never syncs on commit by itself; this is
   * what makes an acknowledged message survive a power cut, not only a process crash.
   */
  @Override
  public void sync() {
    run(this::checkpointSync);
  }

  /**
   * Forces everything committed so far to the disk from inside a unit of work ({@link #call}), and
   * raises the high-water mark to what was committed before the sync: one small file write when the
   * mark changed, none otherwise. A store that went back in time keeps its old mark, so that every
   * command says so until {@code doctor --repair}.
   */
  void checkpointSync(Handle handle) throws SQLException {
    if (dialect != Dialect.H2) {
      return; // a PostgreSQL commit is on its disk when it returns
    }
    HighWater.Mark mark = HighWater.current(handle);
    handle.execute("CHECKPOINT SYNC");
    if (rewound != null || mark.equals(knownMark)) {
      return;
    }
    try {
      HighWater.write(home, mark);
      knownMark = mark;
    } catch (java.io.IOException e) {
      warnings.accept(
          "cannot write the high-water mark " + home.resolve(HighWater.FILE_NAME) + ": " + e);
    }
  }

  /**
   * Lets the transaction of {@code handle} commit without waiting for the disk, for work whose loss
   * in a crash costs nothing but a repeat (a batch of acks: the messages are pushed again and
   * dropped as already seen). H2 never waits for the disk on commit ({@link #checkpointSync} does);
   * PostgreSQL does unless told, here for this transaction only.
   */
  static void commitWithoutSync(Handle handle) {
    if (Dialect.of(handle) == Dialect.POSTGRESQL) {
      handle.execute("SET LOCAL synchronous_commit TO off");
    }
  }

  /**
   * Reaches the database now, opening (and migrating) it as the first unit of work does, so that a
   * store that cannot be opened fails here rather than at first use.
   */
  public void reach() {
    call(handle -> null);
  }

  /**
   * What this store lost, when it holds less than its high-water mark said (a truncated, replaced
   * or re-created database file); empty when it holds everything it once had.
   */
  public java.util.Optional<String> rewound() {
    reach(); // reaching the store checks its mark
    return java.util.Optional.ofNullable(rewound);
  }

  /** Makes what the store holds now its high-water mark: after a repair rebuilt it. */
  public void resetHighWater() {
    run(
        handle -> {
          rewound = null;
          knownMark = null;
          checkpointSync(handle);
        });
  }

  /** Compares the store with its high-water mark, once per store, when it is first reached. */
  private void checkMark(Handle handle) throws SQLException {
    HighWater.Mark mark = HighWater.read(home);
    knownMark = mark;
    if (mark == null) {
      return;
    }
    HighWater.Mark now = HighWater.current(handle);
    if (now.lostFrom(mark)) {
      rewound =
          "the message store "
              + home.resolve(FILE_NAME + ".mv.db")
              + " holds less than it once did (messages up to #"
              + now.seq()
              + " of #"
              + mark.seq()
              + ", "
              + now.agents()
              + " of "
              + mark.agents()
              + " agents): the file was truncated, replaced or re-created";
      warnings.accept(
          "[store-rewound] "
              + rewound
              + "; run: agent-msg doctor --repair (it rebuilds the store from the mirror files)");
    }
  }

  /**
   * Throws {@link StoreCorruptException} when {@code failure} says the database file is damaged: no
   * retry helps, and the user needs to know what to run.
   */
  private void throwIfCorrupt(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      boolean corrupt =
          (cause instanceof SQLException sql
                  && (sql.getErrorCode() == FILE_CORRUPTED
                      || sql.getErrorCode() == FILE_VERSION_ERROR))
              || (cause instanceof org.h2.mvstore.MVStoreException mv
                  && mv.getErrorCode() == MVSTORE_FILE_CORRUPT);
      if (corrupt) {
        throw new StoreCorruptException(
            "the database file "
                + home.resolve(FILE_NAME + ".mv.db")
                + " is damaged ("
                + firstSentence(cause.getMessage())
                + "); run: agent-msg doctor --repair (it sets the file aside and rebuilds the store"
                + " from the mirror files)",
            failure);
      }
    }
  }

  private static String firstSentence(String text) {
    if (text == null) {
      return "unreadable";
    }
    int end = text.indexOf(':');
    return (end < 0 ? text : text.substring(0, end)).trim();
  }

  /**
   * Runs {@code work} on a connection of the pool, reaching and migrating the database first if
   * this store has not yet.
   */
  private <T> T onPooledConnection(Work<T> work) throws SQLException {
    if (!migrated) {
      migrateShared();
    }
    try (Handle pooled = jdbi.open()) {
      return work.run(pooled);
    }
  }

  /**
   * Brings the shared database's schema up to date (once for all processes, under its advisory
   * lock), on a connection of its own: the first one this store makes, so a database that is not
   * there fails here, with the driver's own words, instead of after the pool's wait.
   */
  private void migrateShared() throws SQLException {
    synchronized (pool) {
      if (migrated) {
        return;
      }
      PostgresMigrations.ensureCurrent(database.url(), database.credentials());
      REACHED.add(database.url());
      try (Handle pooled = jdbi.open()) {
        warnIfCommitsNotDurable(pooled);
      }
      migrated = true;
    }
  }

  private Handle handle() throws SQLException {
    if (handle == null) {
      Handle opened = jdbi.open();
      try {
        if (!migrated) {
          Migrations.ensureCurrent(opened, this);
          migrated = true;
        }
        if (!markChecked) {
          checkMark(opened);
          markChecked = true;
        }
      } catch (RuntimeException | SQLException e) {
        opened.close();
        throw e;
      }
      handle = opened;
    }
    return handle;
  }

  /**
   * Says so when the PostgreSQL server acknowledges commits before they are on its disk: then a
   * message the server acknowledged can be lost in a crash of the database, which agent-msg
   * promises never happens.
   */
  private void warnIfCommitsNotDurable(Handle opened) {
    String setting = opened.createQuery("SHOW synchronous_commit").mapTo(String.class).one();
    if ("off".equalsIgnoreCase(setting)) {
      warnings.accept(
          "the database "
              + database.safeUrl()
              + " has synchronous_commit = off: a message acknowledged just before a crash of the"
              + " database server can be lost; set it to on");
    }
  }

  /**
   * Whether the current connection died (its owner went away): whatever the error said, the work is
   * then worth retrying on a new connection.
   */
  private boolean connectionLost() {
    try {
      return handle != null && !handle.getConnection().isValid(1);
    } catch (SQLException e) {
      return true;
    }
  }

  private void discardHandle() {
    if (handle != null) {
      try {
        handle.close();
      } catch (RuntimeException alreadyBroken) {
        // The connection is gone either way; the next attempt opens a new one.
      }
      handle = null;
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      discardHandle();
      if (connections != null) {
        connections.discardEarly();
      }
      if (pool != null) {
        pool.release();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Fails at once when a shared database this process never reached refuses the connection: the URL
   * is wrong or the database is not running, and retrying for the whole timeout only hides it.
   */
  private void throwIfNeverReached(Exception failure) {
    if (database != null
        && !REACHED.contains(database.url())
        && TransientErrors.isConnectionFailure(failure)) {
      throw new StoreUnavailableException(
          "cannot connect to the database " + database.safeUrl() + ": " + describe(failure),
          failure);
    }
  }

  private static String describe(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql) {
        String text = sql.getMessage();
        int newline = text == null ? -1 : text.indexOf('\n');
        // PostgreSQL reports a state and no vendor code; H2 reports both.
        String code =
            sql.getErrorCode() == 0 && sql.getSQLState() != null
                ? sql.getSQLState()
                : String.valueOf(sql.getErrorCode());
        return (newline < 0 ? text : text.substring(0, newline)) + " [" + code + "]";
      }
    }
    return String.valueOf(failure.getMessage());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while waiting for the message store", e);
    }
  }

  /** Work on a connection; may throw {@link SQLException}. */
  @FunctionalInterface
  interface Work<T> {
    T run(Handle handle) throws SQLException;
  }

  /** Work on a connection with no result. */
  @FunctionalInterface
  interface VoidWork {
    void run(Handle handle) throws SQLException;
  }
}
