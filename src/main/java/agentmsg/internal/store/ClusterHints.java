package agentmsg.internal.store;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * What the servers sharing one PostgreSQL database tell each other, through its {@code
 * LISTEN/NOTIFY}: wake-up hints only, never a message. A hint names an agent and a sequence number;
 * the server that hears it reads the store, as it does after every wake-up, timeout or reconnect of
 * its listening connection, so a hint that is lost (NOTIFY has no replay) delays nothing by more
 * than the server's safety-net interval. Hints are sent in the transaction that makes them true, so
 * they reach the others only once it is committed. On H2 (one server) there is nothing to tell, and
 * {@link #publish} does nothing.
 */
public final class ClusterHints {
  /** The channel every server listens on. */
  static final String CHANNEL = "agent_msg";

  private ClusterHints() {}

  /** What happened, as the other servers need to hear it. */
  public enum Kind {
    /** Messages for {@code agent} are stored, from {@code seq} on: its receiver reads them. */
    STORED('m'),
    /**
     * Message {@code seq} sent by {@code agent} was delivered: the sender hears {@code delivered}.
     */
    DELIVERED('d'),
    /** {@code agent}'s receiving connection is now on the hint's server: others drop theirs. */
    CLAIMED('r');

    private final char code;

    Kind(char code) {
      this.code = code;
    }

    static Kind of(char code) {
      for (Kind kind : values()) {
        if (kind.code == code) {
          return kind;
        }
      }
      return null;
    }
  }

  /**
   * One hint from server {@code node} about {@code agent}: a sequence number; for {@link
   * Kind#CLAIMED} the client instance in {@code id}; for {@link Kind#DELIVERED} the message's id,
   * client id (null if none), recipient and delivery time ({@code at}, epoch milliseconds), all a
   * {@code delivered} frame needs, so that the sender's server tells it without reading the store.
   */
  public record Hint(
      Kind kind,
      String node,
      String agent,
      long seq,
      String id,
      String clientId,
      String recipient,
      long at) {
    /** A hint of {@link Kind#STORED} or {@link Kind#CLAIMED}. */
    public Hint(Kind kind, String node, String agent, long seq, String id) {
      this(kind, node, agent, seq, id, null, null, 0);
    }

    String payload() {
      StringBuilder payload =
          new StringBuilder().append(kind.code).append(' ').append(node).append(' ');
      payload.append(agent).append(' ').append(seq);
      if (id != null) {
        payload.append(' ').append(id);
      }
      if (recipient != null) {
        payload
            .append(' ')
            .append(clientId == null ? "" : URLEncoder.encode(clientId, StandardCharsets.UTF_8))
            .append(' ')
            .append(recipient)
            .append(' ')
            .append(at);
      }
      return payload.toString();
    }

    static Hint parse(String payload) {
      String[] parts =
          payload == null ? new String[0] : payload.split(" ", -1); // NOPMD: exact separators
      if ((parts.length != 4 && parts.length != 5 && parts.length != 8)
          || parts[0].length() != 1
          || Kind.of(parts[0].charAt(0)) == null) {
        return null;
      }
      try {
        Kind kind = Kind.of(parts[0].charAt(0));
        long seq = Long.parseLong(parts[3]);
        if (parts.length == 8) {
          return new Hint(
              kind,
              parts[1],
              parts[2],
              seq,
              parts[4],
              parts[5].isEmpty() ? null : URLDecoder.decode(parts[5], StandardCharsets.UTF_8),
              parts[6],
              Long.parseLong(parts[7]));
        }
        return new Hint(kind, parts[1], parts[2], seq, parts.length == 5 ? parts[4] : null);
      } catch (IllegalArgumentException e) {
        return null; // NumberFormatException included
      }
    }
  }

  /** Sends {@code hints} when {@code tx} commits; nothing on H2. */
  static void publish(Handle tx, Collection<Hint> hints) throws SQLException {
    if (hints.isEmpty() || Dialect.of(tx) != Dialect.POSTGRESQL) {
      return;
    }
    Connection connection = tx.getConnection();
    String[] payloads = new String[hints.size()];
    int i = 0;
    for (Hint hint : hints) {
      payloads[i++] = hint.payload();
    }
    // One round trip for all of them, however many recipients the batch had.
    try (PreparedStatement notify =
        connection.prepareStatement(
            "SELECT COUNT(pg_notify('" + CHANNEL + "', p)) FROM unnest(?::text[]) AS p")) {
      notify.setArray(1, connection.createArrayOf("text", payloads));
      notify.execute();
    }
  }

  /** Hears the other servers' hints on a connection of its own, and reconnects when it breaks. */
  public static final class Listener implements AutoCloseable {
    private static final int WAIT_MILLIS = 500;
    private final Database database;
    private final String node;
    private final Consumer<Hint> hints;
    private final Runnable resync;
    private final Consumer<String> log;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Connection connection;

    /**
     * @param hints hears each hint of another server, on the listener's thread
     * @param resync runs after every (re)connect: hints may have been missed, read everything
     */
    Listener(
        Database database,
        String node,
        Consumer<Hint> hints,
        Runnable resync,
        Consumer<String> log) {
      this.database = database;
      this.node = node;
      this.hints = hints;
      this.resync = resync;
      this.log = log;
      this.thread = new Thread(this::loop, "agent-msg-cluster-listen");
      thread.setDaemon(true);
    }

    /** Starts listening; returns once the first LISTEN is in place, or failed (then it retries). */
    public void start() {
      thread.start();
    }

    private void loop() {
      long backoff = 100;
      boolean failedBefore = false;
      while (!stopping) {
        try (Connection opened = open()) {
          connection = opened;
          try (Statement listen = opened.createStatement()) {
            listen.execute("LISTEN " + CHANNEL);
          }
          if (failedBefore) {
            log.accept("listening for the other servers' hints again");
          }
          failedBefore = false;
          backoff = 100;
          resync.run();
          PGConnection pg = opened.unwrap(PGConnection.class);
          while (!stopping) {
            PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
            if (notifications == null) {
              continue;
            }
            List<Hint> heard = new ArrayList<>(notifications.length);
            for (PGNotification notification : notifications) {
              Hint hint = Hint.parse(notification.getParameter());
              if (hint != null && !hint.node().equals(node)) {
                heard.add(hint);
              }
            }
            for (Hint hint : heard) {
              try {
                hints.accept(hint);
              } catch (RuntimeException e) {
                log.accept("cannot act on a hint of another server (" + hint.payload() + "): " + e);
              }
            }
          }
        } catch (SQLException | RuntimeException e) {
          if (stopping) {
            return;
          }
          if (!failedBefore) {
            log.accept(
                "warning: lost the listening connection to "
                    + database.safeUrl()
                    + " ("
                    + e.getMessage()
                    + "); messages stored by other servers reach this one's receivers by the"
                    + " safety-net re-check until it is back");
          }
          failedBefore = true;
          try {
            Thread.sleep(backoff);
          } catch (InterruptedException interrupted) {
            return;
          }
          backoff = Math.min(backoff * 2, 2_000);
        } finally {
          connection = null;
        }
      }
    }

    private Connection open() throws SQLException {
      Properties credentials = database.credentials();
      Connection opened = new org.postgresql.Driver().connect(database.url(), credentials);
      if (opened == null) {
        throw new SQLException("not a PostgreSQL URL: " + database.safeUrl());
      }
      opened.setAutoCommit(true);
      return opened;
    }

    @Override
    public void close() {
      stopping = true;
      thread.interrupt();
      Connection current = connection;
      if (current != null) {
        try {
          current.close();
        } catch (SQLException ignored) {
          // Closing ends the wait either way.
        }
      }
      try {
        thread.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * A listener for the servers sharing {@code store}'s database, or null on H2, where a data home
   * has one server and nothing to hear.
   */
  public static Listener listener(
      Store store, String node, Consumer<Hint> hints, Runnable resync, Consumer<String> log) {
    Database database = store.database();
    return database == null ? null : new Listener(database, node, hints, resync, log);
  }
}
