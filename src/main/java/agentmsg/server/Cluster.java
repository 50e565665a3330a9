package agentmsg.server;

import agentmsg.internal.store.ClusterHints;
import agentmsg.internal.store.ClusterHints.Hint;
import agentmsg.internal.store.Recipients;
import agentmsg.internal.store.Store;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * This server among the others that share its PostgreSQL database ({@code server --db}): its id,
 * the check that an agent has one receiving connection across all of them, and what it does with
 * the others' hints ({@link ClusterHints}): a message stored elsewhere is pushed by the server that
 * holds its recipient's receiving connection, a {@code delivered} reaches the sender wherever it is
 * connected, and a receiving connection taken on another server is closed here. On H2 (one server
 * per data home) there are no others: nothing is listened to and nothing is checked. Thread-safe.
 */
final class Cluster implements AutoCloseable {
  private final String node;
  private final Store store;
  private final ServerLog log;
  private final boolean shared;
  private Hub hub;
  private ClusterHints.Listener listener;

  Cluster(Store store, ServerLog log) {
    byte[] random = new byte[8];
    new SecureRandom().nextBytes(random);
    this.node = "s" + HexFormat.of().formatHex(random);
    this.store = store;
    this.log = log;
    this.shared = store.dialect() != agentmsg.internal.store.Dialect.H2;
  }

  /** This server's id in {@code server_node}, new at every start. */
  String node() {
    return node;
  }

  /** Whether other servers may share the store. */
  boolean shared() {
    return shared;
  }

  /** Starts hearing the other servers' hints, acting on them through {@code hub}. */
  void start(Hub hub) {
    this.hub = hub;
    listener =
        ClusterHints.listener(store, node, this::heard, this::resync, line -> log.line(line));
    if (listener != null) {
      listener.start();
    }
  }

  /**
   * Where another server holds a live receiving connection of {@code agent} that a connection of
   * client {@code instance} may not replace (another client, and no takeover), as an error names
   * it; null when none does.
   */
  String heldElsewhere(String agent, String instance) {
    if (!shared) {
      return null;
    }
    Optional<Recipients.Holder> holder =
        store.heldElsewhere(agent, node, System.currentTimeMillis());
    if (holder.isEmpty() || (instance != null && instance.equals(holder.get().instance()))) {
      return null;
    }
    return "another server (" + holder.get().node() + ")";
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
    if (hub != null) {
      for (Connection receiver : hub.receivers()) {
        hub.pusher().request(receiver);
      }
    }
  }

  @Override
  public void close() {
    if (listener != null) {
      listener.close();
    }
  }
}
