package agentmsg.internal.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The server's queries on the {@code message} table: idempotent inserts keyed by a client id, the
 * undelivered messages of a recipient, and marking messages delivered. Stateless.
 */
public final class DeliveryRows {
  private static final String COLUMNS =
      "seq, id, sender, recipient, body, created_at, client_id, delivered_at";

  /** How many ids go into one {@code IN (...)} list. */
  private static final int CHUNK = 500;

  private static final RowMapper<Row> MAPPER =
      (rows, context) ->
          new Row(
              rows.getString("id"),
              rows.getLong("seq"),
              rows.getString("sender"),
              rows.getString("recipient"),
              rows.getString("body"),
              rows.getLong("created_at"),
              rows.getString("client_id"),
              rows.getObject("delivered_at", Long.class));

  private DeliveryRows() {}

  /**
   * A stored message as the server handles it: the message and the client id it was sent with.
   *
   * @param clientId the sender's idempotency key, or null
   * @param deliveredAtMillis when the recipient's client acknowledged it, or null
   */
  public record Row(
      String id,
      long seq,
      String sender,
      String recipient,
      String body,
      long createdAtMillis,
      String clientId,
      Long deliveredAtMillis) {}

  /**
   * Inserts a new message and returns its sequence number. The id must be new (a fresh one); a
   * client id already used by the sender fails on the unique key, so look those up first with
   * {@link #byClientIds}.
   */
  public static long insert(
      Handle handle,
      String id,
      String from,
      String to,
      String body,
      long createdAtMillis,
      String clientId) {
    long seq =
        handle
            .createUpdate(
                "INSERT INTO message (id, sender, recipient, body, created_at, client_id,"
                    + " thread_id) VALUES (:id, :sender, :recipient, :body, :createdAt, :clientId,"
                    + " :id)")
            .bind("id", id)
            .bind("sender", from)
            .bind("recipient", to)
            .bind("body", body)
            .bind("createdAt", createdAtMillis)
            .bind("clientId", clientId)
            .executeAndReturnGeneratedKeys("seq")
            .mapTo(Long.class)
            .one();
    // Every insert path indexes its words in its own transaction: search must find this one too.
    WordIndex.add(handle, seq, body, null);
    return seq;
  }

  /**
   * The messages {@code sender} already stored under any of {@code clientIds}, by client id. One
   * index lookup each: an {@code IN} list here made H2 scan all of the sender's messages.
   */
  public static Map<String, Row> byClientIds(
      Handle handle, String sender, Collection<String> clientIds) {
    Map<String, Row> found = new HashMap<>();
    for (String clientId : clientIds) {
      handle
          .createQuery(
              "SELECT "
                  + COLUMNS
                  + " FROM message WHERE sender = :sender AND client_id = :clientId")
          .bind("sender", sender)
          .bind("clientId", clientId)
          .map(MAPPER)
          .findOne()
          .ifPresent(row -> found.put(clientId, row));
    }
    return found;
  }

  /** The stored messages among {@code ids}, by id. */
  public static Map<String, Row> byIds(Handle handle, Collection<String> ids) {
    Map<String, Row> found = new HashMap<>();
    for (List<String> chunk : chunks(ids)) {
      handle
          .createQuery("SELECT " + COLUMNS + " FROM message WHERE id IN (<ids>)")
          .bindList("ids", chunk)
          .map(MAPPER)
          .forEach(row -> found.put(row.id(), row));
    }
    return found;
  }

  /**
   * Messages to {@code recipient} after sequence number {@code afterSeq} that are neither delivered
   * nor read, oldest first: what the server pushes to a receiving connection.
   */
  public static List<Row> undelivered(Handle handle, String recipient, long afterSeq, int limit) {
    return handle
        .createQuery(
            "SELECT "
                + COLUMNS
                + " FROM message WHERE recipient = :recipient AND delivered_at IS NULL"
                + " AND read_at IS NULL AND seq > :afterSeq ORDER BY seq LIMIT :limit")
        .bind("recipient", recipient)
        .bind("afterSeq", afterSeq)
        .bind("limit", limit)
        .map(MAPPER)
        .list();
  }

  /**
   * Marks the given messages to {@code recipient} delivered at {@code nowMillis}, and read too when
   * {@code alsoRead} (a client that acks has shown them) unless they were read before. Only
   * messages not yet delivered change. Each update is keyed by id alone, so that H2 finds it by the
   * id index whatever else is undelivered.
   *
   * @return the messages that changed, for telling their senders
   */
  public static List<Row> markDelivered(
      Handle handle, String recipient, Collection<String> ids, long nowMillis, boolean alsoRead) {
    if (ids.isEmpty()) {
      return List.of();
    }
    List<String> ordered = List.copyOf(ids);
    PreparedBatch batch =
        handle.prepareBatch(
            "UPDATE message SET delivered_at = :now"
                + (alsoRead ? ", read_at = COALESCE(read_at, :now)" : "")
                + " WHERE id = :id AND recipient = :recipient AND delivered_at IS NULL");
    for (String id : ordered) {
      batch.bind("now", nowMillis).bind("id", id).bind("recipient", recipient).add();
    }
    int[] counts = batch.execute();
    List<String> changedIds = new ArrayList<>();
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0) {
        changedIds.add(ordered.get(i));
      }
    }
    Map<String, Row> rows = byIds(handle, changedIds);
    List<Row> changed = new ArrayList<>(changedIds.size());
    for (String id : changedIds) {
      Row row = rows.get(id);
      if (row != null) {
        changed.add(row);
      }
    }
    return changed;
  }

  private static List<List<String>> chunks(Collection<String> ids) {
    List<String> all = List.copyOf(ids);
    List<List<String>> chunks = new ArrayList<>();
    for (int start = 0; start < all.size(); start += CHUNK) {
      chunks.add(all.subList(start, Math.min(all.size(), start + CHUNK)));
    }
    return chunks;
  }
}
