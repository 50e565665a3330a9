package agentmsg.internal.store;

import agentmsg.AgentType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The loop guard of one batch of sends: a thread whose last {@code limit} sends were all from
 * agents to agents, with no human's message in between, is held, and the next such send into it is
 * refused. A send counts when its sender is not a {@code human} and at least one of its recipients
 * is not (a fan-out counts once); a human's send releases the thread (the count starts again); a
 * send from an agent to humans only does neither. A new thread has nothing to guard yet.
 *
 * <p>Each thread's count lives in {@code thread_guard}, read with a row lock ({@code FOR UPDATE})
 * and written in the transaction that stores the sends, so that concurrent senders in other
 * processes and the server's group commit each count every send once. A thread without a row (its
 * second send, or a thread older than the table) is counted from its newest messages by the
 * (thread, seq) index; two writers that both find no row collide on its key, and the loser's batch
 * is applied again ({@link SendPipeline.AlreadyStored}). Not thread-safe: one per batch.
 */
final class ThreadGuard {
  /** What the guard says of one send. */
  enum Verdict {
    /** Stored; the thread is not held. */
    PASS,
    /** Stored, and it was the last: the thread is held from now on. */
    HOLDS,
    /** Refused: the thread is held. */
    REFUSED
  }

  private final Handle tx;
  private final int defaultLimit;
  private final long now;
  private final Map<String, Row> rows = new HashMap<>();

  ThreadGuard(Handle tx, int defaultLimit, long now) {
    this.tx = tx;
    this.defaultLimit = defaultLimit;
    this.now = now;
  }

  /** One thread's count as this batch sees it. */
  private static final class Row {
    int run;
    Integer ownLimit;
    Long heldAt;
    boolean stored;
    boolean changed;
  }

  /**
   * Decides one send of {@code sender} into {@code thread} to {@code recipients}, and counts it
   * unless refused.
   */
  Verdict admit(String thread, Recipients.State sender, Collection<Recipients.State> recipients)
      throws SQLException {
    if (thread == null) {
      return Verdict.PASS;
    }
    boolean human = sender != null && sender.human();
    boolean toAgent = recipients.stream().anyMatch(recipient -> !recipient.human());
    if (!human && !toAgent) {
      return Verdict.PASS;
    }
    // A human's send ends the count whatever it was, and a thread without a row counts from its
    // messages, which stop at this one: neither needs the count of the messages before.
    Row row = row(thread, !human && defaultLimit != 0);
    if (human) {
      if (row.run != 0 || row.heldAt != null) {
        row.run = 0;
        row.heldAt = null;
        row.changed = true;
      }
      return Verdict.PASS;
    }
    int limit = limit(row);
    if (limit == 0) {
      return Verdict.PASS;
    }
    if (row.run >= limit) {
      if (row.heldAt == null) {
        row.heldAt = now; // held by a lower limit than the one it was counted under
        row.changed = true;
      }
      return Verdict.REFUSED;
    }
    row.run++;
    row.changed = true;
    if (row.run >= limit) {
      row.heldAt = now;
      return Verdict.HOLDS;
    }
    return Verdict.PASS;
  }

  /** The limit that applies to {@code thread} (after {@link #admit}); 0 when off. */
  int limit(String thread) {
    Row row = rows.get(thread);
    return row == null ? defaultLimit : limit(row);
  }

  private int limit(Row row) {
    return row.ownLimit != null ? row.ownLimit : defaultLimit;
  }

  /**
   * Writes what changed.
   *
   * @throws SendPipeline.AlreadyStored if another writer created a row this batch created
   */
  void write() throws SQLException {
    for (Map.Entry<String, Row> entry : rows.entrySet()) {
      Row row = entry.getValue();
      if (!row.changed) {
        continue;
      }
      if (row.stored) {
        tx.createUpdate(
                "UPDATE thread_guard SET run = :run, held_at = :held WHERE thread_id = :thread")
            .bind("run", row.run)
            .bind("held", row.heldAt)
            .bind("thread", entry.getKey())
            .execute();
        continue;
      }
      try (PreparedStatement insert =
          tx.getConnection()
              .prepareStatement(
                  "INSERT INTO thread_guard (thread_id, run, run_limit, held_at) VALUES (?, ?,"
                      + " NULL, ?)")) {
        insert.setString(1, entry.getKey());
        insert.setInt(2, row.run);
        if (row.heldAt == null) {
          insert.setNull(3, java.sql.Types.BIGINT);
        } else {
          insert.setLong(3, row.heldAt);
        }
        insert.executeUpdate();
      } catch (SQLException e) {
        if (DeliveryRows.isDuplicateKey(e)) {
          throw new SendPipeline.AlreadyStored(e);
        }
        throw e;
      }
    }
  }

  /**
   * The thread's count as this batch sees it, read under the row's lock; a thread without a row is
   * counted from its messages if {@code count}, else taken as 0 (and written only if it changes).
   */
  private Row row(String thread, boolean count) throws SQLException {
    Row row = rows.get(thread);
    if (row != null) {
      return row;
    }
    row = new Row();
    try (PreparedStatement query =
        tx.getConnection()
            .prepareStatement(
                "SELECT run, run_limit, held_at FROM thread_guard WHERE thread_id = ? FOR UPDATE")) {
      query.setString(1, thread);
      try (ResultSet found = query.executeQuery()) {
        if (found.next()) {
          row.stored = true;
          row.run = found.getInt(1);
          int own = found.getInt(2);
          row.ownLimit = found.wasNull() ? null : own;
          long held = found.getLong(3);
          row.heldAt = found.wasNull() ? null : held;
        }
      }
    }
    if (!row.stored && count) {
      row.run = counted(thread);
    }
    rows.put(thread, row);
    return row;
  }

  /**
   * The agent sends in a row at the end of {@code thread}, counted from its newest messages: the
   * copies of one fan-out (one sender, one time) count once, a human's send ends the count.
   */
  private int counted(String thread) throws SQLException {
    // Enough rows for the default limit, fan-outs' copies included; a higher limit of the thread's
    // own counts from this cap up.
    int cap = Math.max(defaultLimit, agentmsg.Options.DEFAULT_LOOP_LIMIT);
    int run = 0;
    String lastSend = null;
    Set<String> seen = new LinkedHashSet<>();
    List<Boolean> sendsToAgents = new ArrayList<>();
    try (PreparedStatement query =
        tx.getConnection()
            .prepareStatement(
                "SELECT m.sender, m.created_at, s.type, r.type FROM message m"
                    + " LEFT JOIN agent s ON s.name = m.sender"
                    + " LEFT JOIN agent r ON r.name = m.recipient"
                    + " WHERE m.thread_id = ? ORDER BY m.seq DESC LIMIT ?")) {
      query.setString(1, thread);
      query.setInt(2, 4 * cap + 8);
      try (ResultSet found = query.executeQuery()) {
        while (found.next()) {
          String send = found.getString(1) + '\n' + found.getLong(2);
          boolean humanSender = AgentType.HUMAN.id().equals(found.getString(3));
          if (humanSender) {
            break;
          }
          boolean toAgent = !AgentType.HUMAN.id().equals(found.getString(4));
          if (!Objects.equals(send, lastSend) && seen.add(send)) {
            sendsToAgents.add(toAgent);
          } else if (toAgent) {
            sendsToAgents.set(sendsToAgents.size() - 1, true);
          }
          lastSend = send;
        }
      }
    }
    for (boolean toAgent : sendsToAgents) {
      if (toAgent) {
        run++;
      }
    }
    return run;
  }

  /**
   * Sets {@code thread}'s own limit (null: back to the default), and releases or holds it to match.
   *
   * @return the thread's count of agent sends in a row
   */
  static int setLimit(Handle tx, String thread, Integer limit, int defaultLimit, long now)
      throws SQLException {
    ThreadGuard guard = new ThreadGuard(tx, defaultLimit, now);
    Row row = guard.row(thread, true);
    row.ownLimit = limit;
    int effective = guard.limit(row);
    row.heldAt =
        effective != 0 && row.run >= effective ? (row.heldAt == null ? now : row.heldAt) : null;
    if (row.stored) {
      tx.createUpdate(
              "UPDATE thread_guard SET run_limit = :limit, held_at = :held WHERE thread_id ="
                  + " :thread")
          .bind("limit", limit)
          .bind("held", row.heldAt)
          .bind("thread", thread)
          .execute();
    } else {
      tx.createUpdate(
              "INSERT INTO thread_guard (thread_id, run, run_limit, held_at) VALUES (:thread, :run,"
                  + " :limit, :held)")
          .bind("thread", thread)
          .bind("run", row.run)
          .bind("limit", limit)
          .bind("held", row.heldAt)
          .execute();
    }
    return row.run;
  }

  /** The threads among {@code threads} that the guard holds. */
  static Set<String> held(Handle handle, Collection<String> threads) {
    Set<String> held = new LinkedHashSet<>();
    for (List<String> chunk : MessageRows.chunks(new LinkedHashSet<>(threads))) {
      handle
          .createQuery(
              "SELECT thread_id FROM thread_guard WHERE thread_id IN (<threads>) AND held_at IS"
                  + " NOT NULL")
          .bindList("threads", chunk)
          .mapTo(String.class)
          .forEach(held::add);
    }
    return held;
  }
}
