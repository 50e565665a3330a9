package agentmsg.internal.store;

import agentmsg.AgentMsgException;
import agentmsg.AgentType;
import agentmsg.MessageDraft;
import agentmsg.Options;
import agentmsg.RecipientHealth;
import agentmsg.ThreadHeldException;
import agentmsg.UnknownAgentException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The one way a send becomes stored messages, for the local messenger and the server's group commit
 * alike: find what an id or client id stored before, resolve the recipients (one agent,
 * {@code @all}, {@code @<group>}: {@link FanOut}), register an unknown sender, build one row per
 * copy, insert them all in one batch with their acks owed and word-index listing ({@link
 * DeliveryRows#insertAll}), all in one transaction; {@link Store#commit} makes it durable before
 * anyone hears of it. Drafts are checked before they get here ({@link agentmsg.MessageDraft}'s
 * rules, by the caller).
 *
 * <p>On the way it reads each agent of the batch once ({@link Recipients}: one query by primary
 * key), which tells whether it is registered, whether it is a human (for the loop guard, {@link
 * ThreadGuard}, which refuses a send into a held thread) and each recipient's health.
 *
 * <p>Not thread-safe: each writer has its own (it remembers the agents it saw, and when it last
 * wrote each sender's {@code last_seen_at}).
 */
public final class SendPipeline {
  private final Set<String> knownAgents = new HashSet<>();
  private final Map<String, Long> touchedAt = new HashMap<>();
  private final long touchEveryMillis;
  private final boolean remembersAgents;
  private int loopLimit = Options.DEFAULT_LOOP_LIMIT;
  private Path home;

  private SendPipeline(long touchEveryMillis, boolean remembersAgents) {
    this.touchEveryMillis = touchEveryMillis;
    this.remembersAgents = remembersAgents;
  }

  /** For one call of a short-lived process: remembers nothing between batches. */
  public static SendPipeline oneShot() {
    return new SendPipeline(0, false);
  }

  /**
   * For a long-lived writer that owns the store (the server): remembers registered agents, and
   * writes a busy sender's {@code last_seen_at} at most once per {@code touchEveryMillis}.
   */
  public static SendPipeline resident(long touchEveryMillis) {
    return new SendPipeline(touchEveryMillis, true);
  }

  /** The loop guard's limit for threads without their own; 0 turns the guard off. */
  public SendPipeline loopLimit(int limit) {
    this.loopLimit = limit;
    return this;
  }

  /** The data home, where the recipients' hook marks are (their health's "hook seen"). */
  public SendPipeline home(Path home) {
    this.home = home;
    return this;
  }

  /**
   * One send.
   *
   * @param sender who sends it
   * @param draft what, to whom; its id, if any, is ignored for {@code id}
   * @param id the message's id, or a fan-out's shared id (its copies are {@link FanOut#copyId})
   * @param clientId the sender's idempotency key, or null: a resend under it stores nothing
   * @param idMayExist whether {@code id} may be stored already (a caller-chosen id, or a retry
   *     after a lost connection): then what it names is the outcome
   */
  public record Submission(
      String sender, MessageDraft draft, String id, String clientId, boolean idMayExist) {

    /** Whether it goes to {@code @all} or a group. */
    public boolean fansOut() {
      return draft.fansOut();
    }

    /** Whether {@code message} was stored for this very submission (not an earlier one). */
    boolean owns(StoredMessage message) {
      return message.id().equals(fansOut() ? FanOut.copyId(id, message.recipient()) : id);
    }
  }

  /**
   * What became of a submission: its stored messages (each copy of a fan-out, in sequence order),
   * or a failure and none.
   *
   * @param fresh whether this submission stored them (they are to be pushed and mirrored), not an
   *     earlier one
   * @param health each message's recipient's health, in the order of {@code messages}
   * @param heldThread the thread this send made the loop guard hold, or null
   * @param holdLimit that thread's limit, or 0
   */
  public record Outcome(
      List<StoredMessage> messages,
      boolean fresh,
      AgentMsgException failure,
      List<RecipientHealth> health,
      String heldThread,
      int holdLimit) {
    Outcome(List<StoredMessage> messages, boolean fresh, AgentMsgException failure) {
      this(messages, fresh, failure, List.of(), null, 0);
    }

    static Outcome failed(AgentMsgException failure) {
      return new Outcome(List.of(), false, failure);
    }

    Outcome withHealth(List<RecipientHealth> health) {
      return new Outcome(messages, fresh, failure, health, heldThread, holdLimit);
    }
  }

  /**
   * What a batch came to.
   *
   * @param outcomes one per submission, in the order given
   * @param registered the senders it registered (as type {@code other})
   * @param agents the agents it found registered or registered
   * @param stored whether it inserted any message
   */
  public record Result(
      List<Outcome> outcomes, Set<String> registered, Set<String> agents, boolean stored) {}

  /**
   * Applies {@code submissions} in {@code tx}. Client ids are new almost always, so unless {@code
   * lookUp} the insert does not look them up first and the unique key on (sender, client id)
   * catches a resend (or another process storing a caller's id since it was looked for): then
   * {@link AlreadyStored} is thrown, and the caller rolls back and applies the batch again with
   * {@code lookUp}.
   */
  Result apply(Handle tx, List<Submission> submissions, long now, boolean lookUp)
      throws SQLException {
    Batch batch = new Batch(tx, now);
    Map<String, Set<String>> clientIds = new HashMap<>();
    List<String> maybeStored = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Submission submission : submissions) {
      names.add(submission.sender());
      if (!submission.fansOut()) {
        names.add(submission.draft().to());
      }
      if (submission.clientId() != null && !submission.fansOut()) {
        clientIds
            .computeIfAbsent(submission.sender(), name -> new HashSet<>())
            .add(submission.clientId());
      }
      if (submission.idMayExist() && !submission.fansOut()) {
        maybeStored.add(submission.id());
      }
    }
    Map<String, StoredMessage> byId =
        maybeStored.isEmpty() ? Map.of() : DeliveryRows.byIds(tx, maybeStored);
    batch.states.putAll(Recipients.load(tx, names));
    Map<String, StoredMessage> byClientId = new HashMap<>();
    if (lookUp) {
      for (Map.Entry<String, Set<String>> entry : clientIds.entrySet()) {
        for (StoredMessage message :
            DeliveryRows.byClientIds(tx, entry.getKey(), entry.getValue()).values()) {
          byClientId.put(message.sender() + '\n' + message.clientId(), message);
        }
      }
    }
    List<Decision> decisions = new ArrayList<>(submissions.size());
    for (Submission submission : submissions) {
      decisions.add(
          submission.fansOut()
              ? batch.decideFanOut(submission)
              : batch.decideOne(submission, byId, byClientId));
    }
    List<StoredMessage> inserted;
    try {
      inserted = DeliveryRows.insertAll(tx, batch.fresh);
    } catch (SQLException e) {
      if (!lookUp
          && (!clientIds.isEmpty() || !maybeStored.isEmpty())
          && DeliveryRows.isDuplicateKey(e)) {
        throw new AlreadyStored(e);
      }
      throw e;
    }
    batch.guard.write();
    // A resend's recipients were not read with the batch's agents: read them, in one query.
    Set<String> unread = new HashSet<>();
    for (Decision decision : decisions) {
      if (decision.outcome() != null) {
        for (StoredMessage message : decision.outcome().messages()) {
          unread.add(message.recipient());
        }
      }
    }
    unread.removeAll(batch.states.keySet());
    batch.states.putAll(Recipients.load(tx, unread));
    Map<String, StoredMessage> insertedById = new HashMap<>();
    for (StoredMessage message : inserted) {
      insertedById.put(message.id(), message);
    }
    List<Outcome> outcomes = new ArrayList<>(submissions.size());
    for (int i = 0; i < submissions.size(); i++) {
      Decision decision = decisions.get(i);
      if (decision.outcome() != null) {
        outcomes.add(batch.withHealth(decision.outcome()));
        continue;
      }
      List<StoredMessage> messages = new ArrayList<>(decision.rows().size());
      for (NewMessage row : decision.rows()) {
        messages.add(insertedById.get(row.id()));
      }
      // A second send with the same client id in this batch gets the first one's messages.
      Outcome outcome =
          new Outcome(
              messages,
              submissions.get(i).owns(messages.get(0)),
              null,
              List.of(),
              decision.heldThread(),
              decision.heldThread() == null ? 0 : batch.guard.limit(decision.heldThread()));
      outcomes.add(batch.withHealth(outcome));
    }
    for (String sender : batch.senders) {
      Long touched = touchedAt.get(sender);
      if (touched == null || now - touched >= touchEveryMillis) {
        AgentRows.touch(tx, sender, now);
        if (remembersAgents) {
          touchedAt.put(sender, now);
        }
      }
    }
    return new Result(outcomes, batch.registered, batch.agents, !inserted.isEmpty());
  }

  /** Remembers the agents a committed batch found or registered (rolled back, it is not told). */
  public void committed(Result result) {
    if (remembersAgents) {
      knownAgents.addAll(result.agents());
    }
  }

  /**
   * Registers {@code name} as type {@code other} unless it is registered; the agents a connection
   * says hello as come this way.
   *
   * @return the agents to remember once committed ({@link #committed(Set)})
   */
  Set<String> ensureAgent(Handle tx, String name, long now) {
    Batch batch = new Batch(tx, now);
    batch.ensureAgent(name);
    return batch.agents;
  }

  /** Remembers agents known to be registered in a committed transaction. */
  public void committed(Set<String> agents) {
    if (remembersAgents) {
      knownAgents.addAll(agents);
    }
  }

  /** Forgets the agents it remembered (the store was changed under it, e.g. a prune). */
  public void forgetAgents() {
    knownAgents.clear();
  }

  /**
   * Either an outcome decided without inserting, or the new rows it inserts (and the thread it
   * makes the loop guard hold, or null).
   */
  private record Decision(Outcome outcome, List<NewMessage> rows, String heldThread) {
    Decision(Outcome outcome, List<NewMessage> rows) {
      this(outcome, rows, null);
    }
  }

  /** The decisions of one batch in progress. */
  private final class Batch {
    final Handle tx;
    final long now;
    final Set<String> senders = new LinkedHashSet<>();
    final Set<String> registered = new LinkedHashSet<>();
    final Set<String> agents = new HashSet<>();

    /** The rows a client id of this batch got, by sender and client id. */
    final Map<String, List<NewMessage>> pending = new HashMap<>();

    final List<NewMessage> fresh = new ArrayList<>();

    /** The agents this batch read or registered, by name. */
    final Map<String, Recipients.State> states = new HashMap<>();

    final ThreadGuard guard;

    Batch(Handle tx, long now) {
      this.tx = tx;
      this.now = now;
      this.guard = new ThreadGuard(tx, loopLimit, now);
    }

    /** {@code outcome} with the health of each of its messages' recipients. */
    Outcome withHealth(Outcome outcome) {
      if (outcome.messages().isEmpty()) {
        return outcome;
      }
      List<RecipientHealth> health = new ArrayList<>(outcome.messages().size());
      for (StoredMessage message : outcome.messages()) {
        Recipients.State state = states.get(message.recipient());
        health.add(
            state != null
                ? state.health(now, home)
                : new RecipientHealth(message.recipient(), false, null, null, null));
      }
      return outcome.withHealth(health);
    }

    /**
     * The loop guard's word on a send into {@code thread}: the decision that refuses it, or null to
     * go on ({@code held} then says whether it holds the thread).
     */
    Decision guard(Submission send, String thread, List<String> recipients, boolean[] held)
        throws SQLException {
      List<Recipients.State> to = new ArrayList<>(recipients.size());
      for (String recipient : recipients) {
        Recipients.State state = states.get(recipient);
        if (state != null) {
          to.add(state);
        }
      }
      ThreadGuard.Verdict verdict = guard.admit(thread, states.get(send.sender()), to);
      if (verdict == ThreadGuard.Verdict.REFUSED) {
        return new Decision(
            Outcome.failed(new ThreadHeldException(thread, guard.limit(thread))), null);
      }
      held[0] = verdict == ThreadGuard.Verdict.HOLDS;
      return null;
    }

    Decision decideOne(
        Submission send, Map<String, StoredMessage> byId, Map<String, StoredMessage> byClientId)
        throws SQLException {
      StoredMessage stored = byId.get(send.id());
      if (stored != null) {
        return new Decision(new Outcome(List.of(stored), send.owns(stored), null), null);
      }
      String key = send.sender() + '\n' + send.clientId();
      stored = send.clientId() == null ? null : byClientId.get(key);
      if (stored != null) {
        return new Decision(new Outcome(List.of(stored), false, null), null);
      }
      List<NewMessage> resent = send.clientId() == null ? null : pending.get(key);
      if (resent != null) {
        return new Decision(null, resent); // the same client id twice in one batch: one message
      }
      String to = send.draft().to();
      if (!agentExists(to)) {
        return new Decision(Outcome.failed(new UnknownAgentException(to)), null);
      }
      boolean[] held = {false};
      Decision refused = guard(send, send.draft().thread(), List.of(to), held);
      if (refused != null) {
        return refused;
      }
      ensureAgent(send.sender());
      senders.add(send.sender());
      List<NewMessage> rows =
          List.of(row(send, send.id(), to, send.clientId(), send.draft().thread()));
      fresh.addAll(rows);
      if (send.clientId() != null) {
        pending.put(key, rows);
      }
      return new Decision(null, rows, held[0] ? send.draft().thread() : null);
    }

    /**
     * A fan-out: the copies stored for its client id before (a resend), or for its id (a retry or a
     * caller's id), else one new copy per recipient. Its copies carry client ids made from its own
     * ({@link FanOut#copyClientId}), so the unique key guards each of them, and a resend is found
     * by a look-up here, whoever the recipients are now.
     */
    Decision decideFanOut(Submission send) throws SQLException {
      String clientId = send.clientId();
      String key = send.sender() + "\n@" + clientId;
      if (clientId != null) {
        List<NewMessage> resent = pending.get(key);
        if (resent != null) {
          return new Decision(null, resent); // the same client id twice in one batch: one fan-out
        }
        List<StoredMessage> copies = DeliveryRows.copiesByClientId(tx, send.sender(), clientId);
        if (!copies.isEmpty()) {
          return new Decision(new Outcome(copies, send.owns(copies.get(0)), null), null);
        }
      }
      List<String> recipients;
      try {
        recipients = FanOut.recipients(tx, send.draft().to(), send.sender());
      } catch (AgentMsgException e) {
        return new Decision(Outcome.failed(e), null);
      }
      if (send.idMayExist() && clientId == null) {
        List<String> ids = new ArrayList<>(recipients.size());
        for (String recipient : recipients) {
          ids.add(FanOut.copyId(send.id(), recipient));
        }
        List<StoredMessage> ours = new ArrayList<>(DeliveryRows.byIds(tx, ids).values());
        if (!ours.isEmpty()) {
          ours.sort(Comparator.comparingLong(StoredMessage::seq));
          return new Decision(new Outcome(ours, true, null), null);
        }
      }
      Set<String> unread = new HashSet<>(recipients);
      unread.add(send.sender());
      unread.removeAll(states.keySet());
      states.putAll(Recipients.load(tx, unread));
      boolean[] held = {false};
      Decision refused = guard(send, send.draft().thread(), recipients, held);
      if (refused != null) {
        return refused;
      }
      ensureAgent(send.sender());
      senders.add(send.sender());
      String thread = FanOut.thread(send.id(), send.draft().thread());
      List<NewMessage> copies = new ArrayList<>(recipients.size());
      for (String recipient : recipients) {
        copies.add(
            row(
                send,
                FanOut.copyId(send.id(), recipient),
                recipient,
                clientId == null ? null : FanOut.copyClientId(clientId, recipient),
                thread));
      }
      fresh.addAll(copies);
      if (clientId != null) {
        pending.put(key, copies);
      }
      return new Decision(null, copies, held[0] ? send.draft().thread() : null);
    }

    NewMessage row(Submission send, String id, String to, String clientId, String thread) {
      MessageDraft draft = send.draft();
      return new NewMessage(
          id,
          send.sender(),
          to,
          draft.body(),
          now,
          clientId,
          thread,
          draft.replyTo(),
          draft.subject(),
          draft.priority(),
          draft.ackRequired());
    }

    /** Whether {@code name} is registered: read with the batch's agents ({@link #states}). */
    boolean agentExists(String name) {
      if (states.containsKey(name) || agents.contains(name)) {
        agents.add(name);
        return true;
      }
      // Only a registration (ensureAgent) comes here without reading the agent first.
      if (knownAgents.contains(name) || AgentRows.exists(tx, name)) {
        agents.add(name);
        return true;
      }
      return false;
    }

    void ensureAgent(String name) {
      if (!agentExists(name)) {
        AgentRows.upsert(tx, name, AgentType.OTHER, now);
        agents.add(name);
        registered.add(name);
        states.put(name, new Recipients.State(name, AgentType.OTHER, now, null, null, null));
      }
    }
  }

  /**
   * Applies {@code submissions} in a transaction of its own and makes them durable before it
   * returns: the whole send of a short-lived caller.
   */
  public Result send(Store store, List<Submission> submissions) {
    return store.call(
        handle -> {
          long now = System.currentTimeMillis();
          Result result;
          try {
            result = handle.inTransaction(tx -> apply(tx, submissions, now, false));
          } catch (AlreadyStored e) {
            result = handle.inTransaction(tx -> apply(tx, submissions, now, true));
          }
          if (result.stored() || !result.registered().isEmpty()) {
            store.checkpointSync(handle);
          }
          committed(result);
          return result;
        });
  }

  /** A send of the batch reused a client id or an id stored before: the batch must look them up. */
  public static final class AlreadyStored extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AlreadyStored(SQLException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }
}
