package agentmsg.server;

import agentmsg.internal.mailbox.AgentInboxWatch;
import agentmsg.internal.store.StoredMessage;
import agentmsg.internal.wire.ServerFrame;
import agentmsg.json.Timestamps;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * Who is connected: every open connection, each agent's connections, and its one receiving
 * connection. Routes stored messages to receivers and {@code delivered} notices to senders.
 * Thread-safe.
 */
final class Hub {
  private final ServerOptions options;
  private final ServerLog log;
  private final AgentInboxWatch watch;
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<Connection>> byAgent = new ConcurrentHashMap<>();
  private final Map<String, Connection> receivers = new ConcurrentHashMap<>();

  /** When each receiving connection was claimed: the later claim wins across servers. */
  private final Map<Connection, Long> claimedAt = new ConcurrentHashMap<>();

  private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
  private final Cluster cluster;
  private final WriterQueue writer;
  private final Pusher pusher;

  /**
   * @param watch the inboxes watched: those of the agents with a receiving connection here
   * @param cluster the other servers' receiving connections, checked before a claim
   * @param writer where claims and releases of receiving connections are recorded, in order
   * @param pusher asked to read for a receiver that has new messages
   */
  Hub(
      ServerOptions options,
      ServerLog log,
      AgentInboxWatch watch,
      Cluster cluster,
      WriterQueue writer,
      Pusher pusher) {
    this.options = options;
    this.log = log;
    this.watch = watch;
    this.cluster = cluster;
    this.writer = writer;
    this.pusher = pusher;
  }

  /**
   * A connection opened.
   *
   * @return whether its address is within the connection limit; if not, the caller closes it
   */
  boolean opened(Connection connection) {
    open.add(connection);
    InetAddress address = connection.address();
    if (address == null) {
      return true;
    }
    return perAddress.merge(address, 1, Integer::sum) <= options.connectionLimit(address);
  }

  /**
   * Another kind of connection from {@code address} opened (a console's live socket): it counts
   * toward the address's limit; false if it takes the address over (the caller closes it, and still
   * calls {@link #closedOther}).
   */
  boolean openedOther(InetAddress address) {
    return perAddress.merge(address, 1, Integer::sum) <= options.connectionLimit(address);
  }

  /** A connection counted by {@link #openedOther} closed. */
  void closedOther(InetAddress address) {
    perAddress.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
  }

  /** Open connections from {@code address}. */
  int connectionsFrom(InetAddress address) {
    return perAddress.getOrDefault(address, 0);
  }

  /**
   * Makes {@code connection} the receiving connection of {@code agent}, unless another live one
   * holds it and neither {@code takeover} nor the same client {@code instance} allows replacing it.
   *
   * <p>On a database shared by servers, a live receiving connection on another server counts too:
   * it is closed there when this one takes over.
   *
   * @return where the connection that holds the name and was kept is from, or null if {@code
   *     connection} got it
   */
  synchronized String claimReceiver(
      Connection connection, String agent, boolean takeover, String instance) {
    Connection holder = receivers.get(agent);
    boolean sameClient =
        instance != null && instance.equals(holder == null ? null : holder.instance());
    if (holder != null && holder.isOpen() && !takeover && !sameClient) {
      return holder.remote();
    }
    if (!takeover && (holder == null || !holder.isOpen())) {
      String elsewhere = cluster.heldElsewhere(agent, instance);
      if (elsewhere != null) {
        return elsewhere;
      }
    }
    long now = System.currentTimeMillis();
    receivers.put(agent, connection);
    claimedAt.put(connection, now);
    watch.watch(agent);
    writer.presence(agent, instance, now);
    if (holder != null && holder.isOpen()) {
      log.line(
          "takeover of " + agent + ": closing the receiving connection from " + holder.remote());
      holder.sendError(
          "taken-over",
          "another connection (from " + connection.remote() + ") took over agent '" + agent + "'",
          null);
      holder.close(StatusCode.POLICY_VIOLATION, "taken-over");
    }
    return null;
  }

  /** A connection said hello. */
  void joined(Connection connection) {
    byAgent
        .computeIfAbsent(connection.agent(), name -> ConcurrentHashMap.newKeySet())
        .add(connection);
    log.line("connect " + connection.describe());
  }

  void closed(Connection connection, int statusCode, String reason) {
    if (!open.remove(connection)) {
      return; // closed twice, or never opened
    }
    InetAddress address = connection.address();
    if (address != null) {
      perAddress.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
    }
    String agent = connection.agent();
    if (agent == null) {
      return;
    }
    Set<Connection> connections = byAgent.get(agent);
    if (connections != null) {
      connections.remove(connection);
    }
    synchronized (this) {
      claimedAt.remove(connection);
      if (receivers.remove(agent, connection)) {
        watch.unwatch(agent);
        writer.presence(agent, null, null);
      }
    }
    Delivery delivery = connection.delivery();
    String unacked = delivery == null ? "" : ", " + delivery.inFlightCount() + " unacked";
    log.line(
        "disconnect "
            + connection.describe()
            + ": "
            + statusCode
            + (reason == null || reason.isEmpty() ? "" : " " + reason)
            + unacked);
  }

  /**
   * Another server stored messages for {@code agent} from sequence number {@code fromSeq} on: its
   * receiver here, if any, reads them.
   */
  void storedElsewhere(String agent, long fromSeq) {
    Connection receiver = receivers.get(agent);
    Delivery delivery = receiver == null ? null : receiver.delivery();
    if (delivery != null && delivery.hinted(fromSeq)) {
      pusher.request(receiver);
    }
  }

  /**
   * Server {@code node} took a receiving connection of {@code agent} at {@code since}: the one here
   * is closed, unless it was claimed later (or at the same moment by a server of a greater id), so
   * that of two servers claiming at once exactly one keeps it.
   */
  synchronized void claimedElsewhere(String agent, long since, String node) {
    Connection holder = receivers.get(agent);
    if (holder == null || !holder.isOpen()) {
      return;
    }
    long mine = claimedAt.getOrDefault(holder, 0L);
    if (mine > since || (mine == since && cluster.node().compareTo(node) > 0)) {
      return;
    }
    receivers.remove(agent, holder);
    claimedAt.remove(holder);
    watch.unwatch(agent);
    log.line("takeover of " + agent + " by another server: closing " + holder.remote());
    holder.sendError(
        "taken-over",
        "another connection (on another server) took over agent '" + agent + "'",
        null);
    holder.close(StatusCode.POLICY_VIOLATION, "taken-over");
  }

  /** Whether {@code agent} has any open connection here. */
  boolean hasConnections(String agent) {
    Set<Connection> connections = byAgent.get(agent);
    return connections != null && !connections.isEmpty();
  }

  /** The receiving connection of {@code agent}, or null. */
  Connection receiver(String agent) {
    return receivers.get(agent);
  }

  boolean isOnline(String agent) {
    Connection receiver = receivers.get(agent);
    return receiver != null && receiver.isOpen();
  }

  /**
   * Whether {@code agent} has a receiving connection here or, on a database shared by servers, on
   * another live server.
   */
  boolean isOnlineAnywhere(String agent) {
    return isOnline(agent) || cluster.heldElsewhere(agent, null) != null;
  }

  /** Whether other servers may share this one's database. */
  boolean shared() {
    return cluster.shared();
  }

  Collection<Connection> receivers() {
    return List.copyOf(receivers.values());
  }

  Collection<Connection> openConnections() {
    return List.copyOf(open);
  }

  /** A message this server just stored: push it if its recipient is connected. */
  void offer(StoredMessage row) {
    Connection receiver = receivers.get(row.recipient());
    Delivery delivery = receiver == null ? null : receiver.delivery();
    if (delivery != null && delivery.offer(row)) {
      pusher.request(receiver);
    }
  }

  /** Tells every live connection of the message's sender that it was delivered. */
  void delivered(StoredMessage row, long deliveredAtMillis) {
    deliveredElsewhere(
        row.sender(), row.id(), row.clientId(), row.recipient(), row.seq(), deliveredAtMillis);
  }

  /**
   * Tells every live connection of {@code sender} here that its message {@code id} (client id
   * {@code clientId}, null if none) reached {@code recipient}: acked here or on another server.
   */
  void deliveredElsewhere(
      String sender, String id, String clientId, String recipient, long seq, long atMillis) {
    Set<Connection> connections = byAgent.get(sender);
    if (connections == null || connections.isEmpty()) {
      return;
    }
    String at = Timestamps.format(Instant.ofEpochMilli(atMillis));
    for (Connection connection : connections) {
      String shown = connection.legacy() && clientId != null ? clientId : id;
      connection.send(new ServerFrame.Delivered(shown, clientId, recipient, seq, at));
    }
  }

  /**
   * A message was written to an original-protocol receiver, which cannot ack: the sender's
   * original-protocol connections hear {@code delivered}, as the original server said once it had
   * forwarded a message (its {@code send --wait} waits for that). Nothing is stored: the message
   * stays undelivered, and our clients' connections hear nothing until a real ack.
   */
  void handedOver(StoredMessage row) {
    Set<Connection> connections = byAgent.get(row.sender());
    if (connections == null) {
      return;
    }
    for (Connection connection : connections) {
      if (connection.legacy()) {
        String id = row.clientId() != null ? row.clientId() : row.id();
        connection.send(
            new ServerFrame.Delivered(id, row.clientId(), row.recipient(), row.seq(), null));
      }
    }
  }

  /** Closes every connection, telling clients the server is going away. */
  void closeAll() {
    for (Connection connection : openConnections()) {
      connection.close(StatusCode.SHUTDOWN, "server stopping");
    }
  }
}
