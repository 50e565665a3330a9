package agentmsg.internal.store;

import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * One transaction of the server's group-commit writer, as operations: what a batch of
 * registrations, sends, acks and presences does to the store ({@link Store#inBatch}). The writer
 * never holds a Jdbi handle; this object lives only inside the transaction it was made for.
 */
public final class WriterBatch {
  private final Handle tx;

  WriterBatch(Handle tx) {
    this.tx = tx;
  }

  /** Registers {@code agent} if it is new; returns the agents the pipeline now knows. */
  public Set<String> ensureAgent(SendPipeline pipeline, String agent, long now) {
    return pipeline.ensureAgent(tx, agent, now);
  }

  /** Stores {@code submissions} through the one send pipeline. */
  public SendPipeline.Result send(
      SendPipeline pipeline, List<SendPipeline.Submission> submissions, long now, boolean lookUp)
      throws SQLException {
    return pipeline.apply(tx, submissions, now, lookUp);
  }

  /** Marks {@code ids} delivered (and read, if {@code alsoRead}); returns those it changed. */
  public List<String> markDelivered(
      String recipient, Collection<String> ids, long now, boolean alsoRead) throws SQLException {
    return DeliveryRows.markDeliveredIds(tx, recipient, ids, now, alsoRead);
  }

  /** The stored messages among {@code ids}, by id. */
  public Map<String, StoredMessage> byIds(Collection<String> ids) {
    return DeliveryRows.byIds(tx, ids);
  }

  /** See {@link Recipients#receiving}. */
  public void receiving(String agent, String node, String instance, Long since) {
    Recipients.receiving(tx, agent, node, instance, since);
  }

  /**
   * Ends the batch's work: tells the other servers sharing the database of {@code hints} once this
   * commits ({@link ClusterHints}), and lets the commit skip waiting for the disk unless {@code
   * durable} ({@link Store#commitWithoutSync}).
   */
  public void finish(Collection<ClusterHints.Hint> hints, boolean durable) throws SQLException {
    ClusterHints.publish(tx, hints, durable);
  }

  /** A batch's work in its transaction. */
  @FunctionalInterface
  public interface Work<T> {
    /**
     * Applies the batch in {@code batch}'s transaction.
     *
     * @param retry whether an earlier attempt may have committed (a lost connection)
     * @param lookUp whether to look up the senders' client ids first
     */
    T run(WriterBatch batch, boolean retry, boolean lookUp) throws SQLException;
  }
}
