package agentmsg.server;

import agentmsg.internal.store.ClusterHints.Hint;
import agentmsg.internal.store.ClusterHints.Kind;
import agentmsg.internal.store.Recipients;
import agentmsg.internal.store.SendPipeline;
import agentmsg.internal.store.Store;
import agentmsg.internal.store.StoredMessage;
import agentmsg.internal.store.WriterBatch;
import agentmsg.server.WriterTask.Ack;
import agentmsg.server.WriterTask.Presence;
import agentmsg.server.WriterTask.Register;
import agentmsg.server.WriterTask.Send;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Group commit: one thread ({@code agent-msg-writer}) takes every registration, send and ack that
 * all connections queued ({@link WriterQueue}), applies them in one transaction, syncs the store to
 * disk once, and only then answers: {@code stored} to senders, pushes to recipients, {@code
 * delivered} to the senders of acked messages. Many messages share one sync, which is what makes
 * durable and fast agree. A send to {@code @all} or a group is one task, so all its copies are
 * stored in the same batch.
 *
 * <p>A batch of acks alone is committed (the file has it: a crash of the server loses nothing) but
 * not synced: what a power cut could take back is only the state of messages that are themselves on
 * disk, which are then pushed again and dropped by the reader as already seen (at-least-once, by
 * id). Messages and registrations are always synced before anyone hears of them.
 *
 * <p>Thread-safe: any thread may queue (on the {@link WriterQueue}); one thread writes.
 */
final class GroupWriter implements AutoCloseable {
  private static final int MAX_BATCH = 4096;

  /** How long the queue must stay empty before the writer indexes words ({@link #indexWords}). */
  private static final long IDLE_MILLIS = 20;

  /** Messages whose words one indexing step takes: short, so that a send waits little behind it. */
  private static final int INDEX_STEP = 100;

  /** How often a sender's {@code last_seen_at} is written while it keeps sending. */
  private static final long TOUCH_EVERY_MILLIS = 1_000;

  private final SendPipeline pipeline = SendPipeline.resident(TOUCH_EVERY_MILLIS);

  private final Store store;

  /** This server's id among the servers sharing the store ({@code server_node}). */
  private final String node;

  private final WriterQueue queue;
  private final Hub hub;
  private final Pusher pusher;
  private final MirrorQueue mirror;
  private final ServerLog log;
  private final Thread thread;
  private volatile boolean stopping;

  /** Whether messages may be waiting for their words; written by the writer thread only. */
  private boolean wordsPending = true;

  /**
   * When the writer last wrote the server's beat ({@link
   * agentmsg.internal.store.ServerStore#beat}); writer thread only.
   */
  private long beatAt;

  /**
   * @param queue what it takes its tasks from
   * @param hub who hears of stored and delivered messages once a batch is committed
   * @param pusher asked to read for a connection once it is welcomed or its acks freed room
   */
  GroupWriter(
      Store store,
      String node,
      WriterQueue queue,
      Hub hub,
      Pusher pusher,
      MirrorQueue mirror,
      ServerLog log,
      int loopLimit) {
    this.store = store;
    this.node = node;
    this.queue = queue;
    this.hub = hub;
    this.pusher = pusher;
    this.mirror = mirror;
    this.log = log;
    pipeline.loopLimit(loopLimit).home(store.home());
    this.thread = new Thread(this::loop, "agent-msg-writer");
    thread.setDaemon(true);
  }

  void start() {
    try {
      store.reserveSeqs();
    } catch (RuntimeException e) {
      // Slower without it, never wrong.
      log.line("warning: cannot enlarge the message sequence cache: " + e.getMessage());
    }
    try {
      beatAt = System.currentTimeMillis();
      store.serverStarted(node, beatAt);
    } catch (RuntimeException e) {
      // Senders then see no one connected, which they would see anyway within a minute.
      log.line("warning: cannot record the server's presence: " + e.getMessage());
    }
    thread.start();
  }

  private void loop() {
    List<WriterTask> batch = new ArrayList<>();
    while (!stopping || !queue.isEmpty()) {
      try {
        WriterTask first = queue.poll(wordsPending ? IDLE_MILLIS : 200, TimeUnit.MILLISECONDS);
        beatIfDue();
        if (first == null) {
          indexWords();
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        process(batch);
      } catch (InterruptedException e) {
        if (!stopping) {
          log.line("writer interrupted; stopping");
        }
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.line("writer failed on a batch of " + batch.size() + ": " + e);
      } finally {
        batch.clear();
      }
    }
  }

  /** Writes the server's beat when it is due: file-mode senders trust its presences while fresh. */
  private void beatIfDue() {
    long now = System.currentTimeMillis();
    if (now - beatAt < Recipients.BEAT_EVERY_MILLIS) {
      return;
    }
    beatAt = now;
    try {
      store.beat(node, now);
    } catch (RuntimeException e) {
      log.line("warning: cannot record the server's presence: " + e.getMessage());
    }
  }

  /**
   * Indexes the words of messages stored earlier, a step at a time while nothing else is queued:
   * sends only list their messages for it, which keeps them fast. A search indexes whatever is left
   * before it queries, so this only saves searches that work.
   */
  private void indexWords() {
    while (wordsPending && queue.isEmpty() && !stopping) {
      try {
        if (store.indexWords(INDEX_STEP) < INDEX_STEP) {
          wordsPending = false;
        }
      } catch (RuntimeException e) {
        log.line("warning: cannot index message words now, a search will: " + e.getMessage());
        wordsPending = false;
      }
    }
  }

  private void process(List<WriterTask> batch) {
    long now = System.currentTimeMillis();
    BatchOutcome outcome;
    try {
      outcome =
          store.inBatch(
              (tx, retry, lookUp) -> apply(tx, batch, now, retry, lookUp),
              result -> result.mustSync);
    } catch (RuntimeException e) {
      BatchOutcome.fail(batch, e, log);
      return;
    }
    pipeline.committed(outcome.agents);
    wordsPending |= outcome.wrote;
    outcome.publish(batch, hub, pusher, mirror, log, now);
  }

  /**
   * Applies a batch in {@code tx}: registrations, the sends through the one send pipeline, and
   * acks.
   *
   * @param retry whether an earlier attempt may have committed (a lost connection)
   * @param lookUp whether to look up the senders' client ids first
   */
  private BatchOutcome apply(
      WriterBatch tx, List<WriterTask> batch, long now, boolean retry, boolean lookUp)
      throws SQLException {
    BatchOutcome out = new BatchOutcome();
    List<Hint> hints = new ArrayList<>();
    List<Presence> presences = new ArrayList<>();
    List<Send> sends = new ArrayList<>();
    List<SendPipeline.Submission> submissions = new ArrayList<>();
    Map<Connection, Map<Boolean, Set<String>>> acks = new LinkedHashMap<>();
    for (WriterTask task : batch) {
      if (task instanceof Register register) {
        out.agents.addAll(tx.ensureAgent(pipeline, register.agent(), now));
        if (hub.receiver(register.agent()) == register.connection()) {
          // Its claim was queued before the agent's row existed: record it once the row does.
          presences.add(new Presence(register.agent(), register.connection().instance(), now));
        }
        out.wrote = true;
        out.mustSync = true;
      } else if (task instanceof Send send) {
        sends.add(send);
        submissions.add(send.submission(retry));
      } else if (task instanceof Presence presence) {
        presences.add(presence);
      } else if (task instanceof Ack ack) {
        acks.computeIfAbsent(ack.connection(), connection -> new HashMap<>())
            .computeIfAbsent(ack.alsoRead(), read -> new LinkedHashSet<>())
            .addAll(ack.ids());
      }
    }
    if (!submissions.isEmpty()) {
      SendPipeline.Result sent = tx.send(pipeline, submissions, now, lookUp);
      for (int i = 0; i < sends.size(); i++) {
        out.results.put(sends.get(i), sent.outcomes().get(i));
      }
      out.agents.addAll(sent.agents());
      // Each recipient's lowest new number: its server reads from there.
      Map<String, Long> lowest = new LinkedHashMap<>();
      for (SendPipeline.Outcome outcome : sent.outcomes()) {
        if (outcome.failure() == null && outcome.fresh()) {
          for (StoredMessage message : outcome.messages()) {
            lowest.merge(message.recipient(), message.seq(), Math::min);
          }
        }
      }
      lowest.forEach(
          (recipient, seq) -> hints.add(new Hint(Kind.STORED, node, recipient, seq, null)));
      out.wrote |= sent.stored();
      out.mustSync |= sent.stored() || !sent.registered().isEmpty();
    }
    // After the registrations: the first connection of a new agent claims it before its row exists.
    for (Presence presence : presences) {
      tx.receiving(presence.agent(), node, presence.instance(), presence.since());
      if (presence.since() != null) {
        hints.add(
            new Hint(Kind.CLAIMED, node, presence.agent(), presence.since(), presence.instance()));
      }
    }
    for (Map.Entry<Connection, Map<Boolean, Set<String>>> byConnection : acks.entrySet()) {
      Connection connection = byConnection.getKey();
      String recipient = connection.agent();
      Delivery delivery = connection.delivery();
      for (Map.Entry<Boolean, Set<String>> byRead : byConnection.getValue().entrySet()) {
        List<String> changed = tx.markDelivered(recipient, byRead.getValue(), now, byRead.getKey());
        out.wrote |= !changed.isEmpty();
        // The pushed messages are in memory; read only what this connection did not push.
        Map<String, StoredMessage> known =
            delivery == null ? Map.of() : delivery.inFlightRows(changed);
        List<String> unknown = new ArrayList<>();
        for (String id : changed) {
          if (!known.containsKey(id)) {
            unknown.add(id);
          }
        }
        Map<String, StoredMessage> read = unknown.isEmpty() ? Map.of() : tx.byIds(unknown);
        for (String id : changed) {
          StoredMessage message = known.containsKey(id) ? known.get(id) : read.get(id);
          if (message != null) {
            out.delivered.add(message);
          }
        }
      }
    }
    for (StoredMessage message : out.delivered) {
      hints.add(
          new Hint(
              Kind.DELIVERED,
              node,
              message.sender(),
              message.seq(),
              message.id(),
              message.clientId(),
              message.recipient(),
              now));
    }
    // The other servers sharing the database hear of it once this commits (nothing on H2); acks
    // and presences alone commit without waiting for the disk: see the class comment.
    tx.finish(hints, out.mustSync);
    return out;
  }

  /** Stops after committing and answering everything queued. */
  @Override
  public void close() {
    stopping = true;
    queue.wake(); // the loop then ends
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (beatAt == 0) {
      return; // never started: no presence to clear (and the store may be what failed the start)
    }
    try {
      store.serverStopped(node);
    } catch (RuntimeException e) {
      log.line("warning: cannot clear the server's presence: " + e.getMessage());
    }
  }
}
