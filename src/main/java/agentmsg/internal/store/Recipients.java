package agentmsg.internal.store;

import agentmsg.AgentType;
import agentmsg.RecipientHealth;
import agentmsg.internal.host.HookMark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * What the send pipeline reads of the agents a send involves, in one query by primary key: whether
 * each is registered, its type (the loop guard's "is it a human"), and what its health is made of
 * (last seen, the server's receiving connection, an armed watch). Also the writes that keep the
 * presence columns true: the server's connections and beat, the watcher's lifetime. Stateless.
 */
public final class Recipients {
  /** How often a running server writes its beat. */
  public static final long BEAT_EVERY_MILLIS = 20_000;

  /** A beat older than this means no server holds the receiving connections it recorded. */
  static final long BEAT_FRESH_MILLIS = 3 * BEAT_EVERY_MILLIS;

  private Recipients() {}

  /** One agent row as a send sees it. Times are epoch milliseconds, null where unset. */
  public record State(
      String name,
      AgentType type,
      long lastSeenAt,
      Long receivingAt,
      Long watchUntil,
      Long beatAt) {

    /** Whether it is a person (the loop guard lets a person's message release a thread). */
    boolean human() {
      return type == AgentType.HUMAN;
    }

    /** Its health at {@code now}; the hook's mark is looked for in {@code home}, if given. */
    RecipientHealth health(long now, Path home) {
      boolean connected =
          receivingAt != null && beatAt != null && now - beatAt <= BEAT_FRESH_MILLIS;
      String wake = null;
      Instant wakeSeenAt = null;
      if (watchUntil != null && watchUntil > now) {
        wake = RecipientHealth.WATCH;
        wakeSeenAt = Instant.ofEpochMilli(watchUntil);
      } else if (home != null) {
        Instant hooked = hookSeen(home, name);
        if (hooked != null
            && now - hooked.toEpochMilli() <= RecipientHealth.WAKE_WINDOW.toMillis()) {
          wake = RecipientHealth.HOOK;
          wakeSeenAt = hooked;
        }
      }
      return new RecipientHealth(
          name, connected, wake, wakeSeenAt, Instant.ofEpochMilli(lastSeenAt));
    }
  }

  /**
   * When a {@code hook} call of {@code agent} last left its mark (the call that finds nothing new
   * writes it; the calls the mark then answers without a JVM are at most {@link HookMark#MAX_AGE}
   * later), or null.
   */
  static Instant hookSeen(Path home, String agent) {
    try {
      return Files.getLastModifiedTime(HookMark.file(home, agent)).toInstant();
    } catch (IOException | RuntimeException none) {
      return null;
    }
  }

  /** The registered agents among {@code names}, by name: one query (per 500 names). */
  static Map<String, State> load(Handle tx, Collection<String> names) throws SQLException {
    Map<String, State> found = new HashMap<>();
    if (names.isEmpty()) {
      return found;
    }
    for (List<String> chunk : MessageRows.chunks(new LinkedHashSet<>(names))) {
      StringBuilder sql =
          new StringBuilder(
              "SELECT name, type, last_seen_at, receiving_at, watch_until,"
                  + " (SELECT beat_at FROM server_node s WHERE s.id = agent.receiving_server)"
                  + " AS beat_at FROM agent WHERE name IN (");
      for (int i = 0; i < chunk.size(); i++) {
        sql.append(i == 0 ? "?" : ", ?");
      }
      try (PreparedStatement query =
          tx.getConnection().prepareStatement(sql.append(')').toString())) {
        for (int i = 0; i < chunk.size(); i++) {
          query.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rows = query.executeQuery()) {
          while (rows.next()) {
            String name = rows.getString(1);
            found.put(
                name,
                new State(
                    name,
                    AgentType.parse(rows.getString(2)),
                    rows.getLong(3),
                    nullable(rows, 4),
                    nullable(rows, 5),
                    nullable(rows, 6)));
          }
        }
      }
    }
    return found;
  }

  private static Long nullable(ResultSet rows, int column) throws SQLException {
    long value = rows.getLong(column);
    return rows.wasNull() ? null : value;
  }

  /** The beat of server {@code node}: it lives, and holds the receiving connections it recorded. */
  static void beat(Handle handle, String node, long now) {
    if (handle
            .createUpdate("UPDATE server_node SET beat_at = :now WHERE id = :node")
            .bind("now", now)
            .bind("node", node)
            .execute()
        == 0) {
      handle
          .createUpdate(
              Dialect.of(handle)
                  .insertIfAbsent(
                      "server_node", "id, started_at, beat_at", "id", ":node, :now, :now"))
          .bind("now", now)
          .bind("node", node)
          .execute();
    }
  }

  /**
   * Server {@code node} starts: it beats from now on, and the receiving connections recorded by
   * servers that no longer beat are not live (a server that died left them). On H2 a data home has
   * one server, so every recorded connection went with the previous one; on a shared database the
   * other servers' fresh records stand.
   */
  static void serverStarted(Handle handle, String node, long now) {
    if (Dialect.of(handle) == Dialect.H2) {
      handle.execute("DELETE FROM server_node");
    } else {
      handle
          .createUpdate("DELETE FROM server_node WHERE beat_at < :stale")
          .bind("stale", now - BEAT_FRESH_MILLIS)
          .execute();
    }
    handle.execute(
        "UPDATE agent SET receiving_at = NULL, receiving_server = NULL, receiving_instance = NULL"
            + " WHERE receiving_at IS NOT NULL AND (receiving_server IS NULL OR receiving_server"
            + " NOT IN (SELECT id FROM server_node))");
    beat(handle, node, now);
  }

  /** Server {@code node} stops: none of its connections is live any more, and it beats no more. */
  static void serverStopped(Handle handle, String node) {
    handle
        .createUpdate(
            "UPDATE agent SET receiving_at = NULL, receiving_server = NULL, receiving_instance ="
                + " NULL WHERE receiving_server = :node")
        .bind("node", node)
        .execute();
    handle.createUpdate("DELETE FROM server_node WHERE id = :node").bind("node", node).execute();
  }

  /**
   * Records that {@code agent} has a receiving connection on server {@code node} since {@code
   * since}, from client {@code instance} (null if it gave none); or, with a null {@code since},
   * that its connection on {@code node} closed (a record another server made since stands).
   */
  static void receiving(Handle handle, String agent, String node, String instance, Long since) {
    if (since != null) {
      handle
          .createUpdate(
              "UPDATE agent SET receiving_at = :since, receiving_server = :node,"
                  + " receiving_instance = :instance WHERE name = :name")
          .bind("since", since)
          .bind("node", node)
          .bind("instance", instance)
          .bind("name", agent)
          .execute();
    } else {
      handle
          .createUpdate(
              "UPDATE agent SET receiving_at = NULL, receiving_server = NULL, receiving_instance ="
                  + " NULL WHERE name = :name AND receiving_server = :node")
          .bind("node", node)
          .bind("name", agent)
          .execute();
    }
  }

  /** A live receiving connection of an agent on some server, as the store records it. */
  public record Holder(String node, String instance, long since) {}

  /**
   * The receiving connection of {@code agent} held by a server other than {@code node} whose beat
   * is fresh at {@code now}, if any: what "one receiving connection per agent" checks across the
   * servers of a shared database.
   */
  static java.util.Optional<Holder> heldElsewhere(
      Handle handle, String agent, String node, long now) {
    return handle
        .createQuery(
            "SELECT a.receiving_server, a.receiving_instance, a.receiving_at FROM agent a JOIN"
                + " server_node s ON s.id = a.receiving_server WHERE a.name = :name AND"
                + " a.receiving_at IS NOT NULL AND a.receiving_server <> :node AND s.beat_at >="
                + " :fresh")
        .bind("name", agent)
        .bind("node", node)
        .bind("fresh", now - BEAT_FRESH_MILLIS)
        .map((rows, context) -> new Holder(rows.getString(1), rows.getString(2), rows.getLong(3)))
        .findOne();
  }

  /** A watcher of {@code agent} is armed until {@code until} (the latest armed one counts). */
  static void watchArmed(Handle handle, String agent, long until) {
    handle
        .createUpdate(
            "UPDATE agent SET watch_until = GREATEST(COALESCE(watch_until, 0), :until)"
                + " WHERE name = :name")
        .bind("until", until)
        .bind("name", agent)
        .execute();
  }

  /** The watcher armed until {@code until} ended at {@code now}, unless a later one took over. */
  static void watchEnded(Handle handle, String agent, long until, long now) {
    handle
        .createUpdate(
            "UPDATE agent SET watch_until = :now WHERE name = :name AND watch_until = :until")
        .bind("now", now)
        .bind("name", agent)
        .bind("until", until)
        .execute();
  }
}
