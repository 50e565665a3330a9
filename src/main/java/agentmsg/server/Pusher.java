package agentmsg.server;

import agentmsg.internal.store.ServerStore;
import agentmsg.internal.store.StoredMessage;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads the store's undelivered messages for receiving connections that asked for it (on connect,
 * when acks free room, when another process wrote to their inbox, and as a safety net) and pushes
 * them in order. One thread ({@code agent-msg-push}); a connection is queued at most once at a
 * time. Thread-safe.
 */
final class Pusher implements AutoCloseable {
  private final ServerStore store;
  private final ServerLog log;
  private final LinkedBlockingQueue<Connection> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean stopping;

  Pusher(ServerStore store, ServerLog log) {
    this.store = store;
    this.log = log;
    this.thread = new Thread(this::loop, "agent-msg-push");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Asks for a read of {@code connection}'s undelivered messages. */
  void request(Connection connection) {
    if (connection.scanQueued().compareAndSet(false, true)) {
      queue.add(connection);
    }
  }

  private void loop() {
    while (!stopping) {
      Connection connection;
      try {
        connection = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (connection == null) {
        continue;
      }
      connection.scanQueued().set(false);
      Delivery delivery = connection.delivery();
      // Never before the welcome: until then the client does not count the connection as up. The
      // registration's commit sends the welcome and then asks again.
      if (delivery == null || !connection.isOpen() || !connection.welcomed()) {
        continue;
      }
      try {
        Delivery.Page page = delivery.nextPage();
        String agent = connection.agent();
        List<StoredMessage> rows = store.undelivered(agent, page.afterSeq(), page.limit());
        if (delivery.scanned(rows, page)) {
          request(connection);
        }
      } catch (RuntimeException e) {
        // The safety-net interval asks again.
        log.line("cannot read undelivered messages of " + connection.agent() + ": " + e);
      }
    }
  }

  @Override
  public void close() {
    stopping = true;
    thread.interrupt(); // nothing is lost: a pusher only reads
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
