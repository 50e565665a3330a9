package agentmsg.server;

import agentmsg.server.WriterTask.Ack;
import agentmsg.server.WriterTask.Flush;
import agentmsg.server.WriterTask.Presence;
import agentmsg.server.WriterTask.Register;
import agentmsg.server.WriterTask.Send;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The tasks queued for the writer thread, in order: connections, the hub and the console add them,
 * {@link GroupWriter} takes them a batch at a time. Thread-safe: any thread may queue.
 */
final class WriterQueue {
  private final LinkedBlockingQueue<WriterTask> queue = new LinkedBlockingQueue<>();

  /** Registers {@code agent} if it is new; then welcomes the connection and starts pushing. */
  void register(Connection connection, String agent) {
    queue.add(new Register(connection, agent));
  }

  void send(Send send) {
    queue.add(send);
  }

  /**
   * Records whether {@code agent} has a receiving connection (since {@code since}, from client
   * {@code instance}) or none.
   */
  void presence(String agent, String instance, Long since) {
    queue.add(new Presence(agent, instance, since));
  }

  /** Marks messages delivered (and read, if {@code alsoRead}) for the connection's agent. */
  void ack(Connection connection, List<String> ids, boolean alsoRead) {
    if (!ids.isEmpty()) {
      queue.add(new Ack(connection, ids, alsoRead));
    }
  }

  /** Waits until everything queued before this call is committed and answered. */
  boolean flush(long timeoutMillis) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    queue.add(new Flush(done));
    return done.await(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** Wakes the writer thread, which then sees that it is stopping. */
  void wake() {
    queue.add(new Flush(new CountDownLatch(1)));
  }

  /** The next task, waiting up to {@code timeout}; null if none came. For the writer thread. */
  WriterTask poll(long timeout, TimeUnit unit) throws InterruptedException {
    return queue.poll(timeout, unit);
  }

  /** Moves up to {@code max} queued tasks to {@code batch}. For the writer thread. */
  void drainTo(List<WriterTask> batch, int max) {
    queue.drainTo(batch, max);
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }
}
