package agentmsg.internal.store;

import java.util.List;

/**
 * The fill of {@code agentmsg.bench.jmh.InboxBench}: many messages in one transaction, which no
 * operation of the store does. It lives in the store's package, as the tests about rows do, so that
 * the store hands no connection out to the bench.
 */
public final class InboxFixture {
  private InboxFixture() {}

  /** Stores {@code rows} in one transaction, as the send path does. */
  public static void insert(Store store, List<NewMessage> rows) {
    store.run(handle -> handle.useTransaction(tx -> DeliveryRows.insertAll(tx, rows)));
  }
}
