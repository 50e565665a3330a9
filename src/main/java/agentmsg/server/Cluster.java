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
 * and the check that an agent has one receiving connection across all of them. What it hears from
 * the others ({@link ClusterHints}: a {@link Hint} for each message stored, message delivered and
 * receiving connection taken) is acted on by {@code OtherServers}. On H2 (one server per data home)
 * there are no others: nothing is checked. Thread-safe.
 */
final class Cluster {
  private final String node;
  private final Store store;
  private final boolean shared;

  Cluster(Store store) {
    byte[] random = new byte[8];
    new SecureRandom().nextBytes(random);
    this.node = "s" + HexFormat.of().formatHex(random);
    this.store = store;
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
}
