package agentmsg.internal.store;

import agentmsg.Message;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * For tests outside this package: rows stored or read the way no operation does (many messages in
 * one transaction, another agent's mail, a column), and SQL of a test's own on a store's connection
 * (a row lock held while the server works). Main code has no such door: it asks the store's
 * operations ({@link MailStore}, {@link ServerStore}, {@link ConsoleStore}, {@link TokenStore}).
 */
public final class StoreSql {
  private StoreSql() {}

  /** Work on a store's connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Handle handle) throws SQLException;
  }

  /** Work on a store's connection with no result. */
  @FunctionalInterface
  public interface VoidWork {
    void run(Handle handle) throws SQLException;
  }

  /** Runs {@code work} as one unit of work of {@code store}, retried as its operations are. */
  public static <T> T call(Store store, Work<T> work) {
    return store.call(work::run);
  }

  /** Runs {@code work} as one unit of work of {@code store}, for work with no result. */
  public static void run(Store store, VoidWork work) {
    store.run(work::run);
  }

  /** Stores {@code rows} in one transaction, as the send path does; returns them as stored. */
  public static List<Message> insert(Store store, List<NewMessage> rows) {
    return store.call(
        handle ->
            handle.inTransaction(
                tx -> {
                  List<Message> stored = new ArrayList<>(rows.size());
                  for (StoredMessage row : DeliveryRows.insertAll(tx, rows)) {
                    stored.add(row.message());
                  }
                  return stored;
                }));
  }

  /**
   * The newest {@code limit} messages {@code recipient} received, oldest first, registered or not.
   */
  public static List<Message> received(Store store, String recipient, int limit) {
    return store.call(handle -> MessageRows.received(handle, recipient, limit));
  }

  /** The schema version this code expects. */
  public static int expectedSchemaVersion() {
    return Migrations.LATEST_VERSION;
  }
}
