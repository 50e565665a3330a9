package agentmsg.server;

import agentmsg.internal.store.ClusterHints;
import agentmsg.internal.store.ClusterHints.Hint;
import agentmsg.internal.store.Store;

/**
 * What this server hears from the others that share its PostgreSQL database ({@link Cluster}):
 * their hints ({@link ClusterHints}), acted on through the {@link Hub}. A message stored elsewhere
 * is pushed by the server that holds its recipient's receiving connection, a {@code delivered}
 * reaches the sender wherever it is connected, and a receiving connection taken on another server
 * is closed here. On H2 there are no others: nothing is listened to. Thread-safe.
 */
final class OtherServers implements AutoCloseable {
  private final Store store;
  private final String node;
  private final ServerLog log;
  private final Hub hub;
  private final Pusher pusher;
  private ClusterHints.Listener listener;

  /**
   * @param node this server's id ({@link Cluster#node}), whose own hints are not heard
   */
  OtherServers(Store store, String node, ServerLog log, Hub hub, Pusher pusher) {
    this.store = store;
    this.node = node;
    this.log = log;
    this.hub = hub;
    this.pusher = pusher;
  }

  /** Starts hearing the other servers' hints. */
  void start() {
    listener =
        ClusterHints.listener(store, node, this::heard, this::resync, line -> log.line(line));
    if (listener != null) {
      listener.start();
    }
  }

  private void heard(Hint hint) {
    switch (hint.kind()) {
      case STORED -> hub.storedElsewhere(hint.agent(), hint.seq());
      case CLAIMED -> hub.claimedElsewhere(hint.agent(), hint.seq(), hint.node());
      case DELIVERED ->
          hub.deliveredElsewhere(
              hint.agent(), hint.id(), hint.clientId(), hint.recipient(), hint.seq(), hint.at());
    }
  }

  /** After the listener (re)connected: hints may have been missed, so every receiver reads. */
  private void resync() {
    for (Connection receiver : hub.receivers()) {
      pusher.request(receiver);
    }
  }

  @Override
  public void close() {
    if (listener != null) {
      listener.close();
    }
  }
}
