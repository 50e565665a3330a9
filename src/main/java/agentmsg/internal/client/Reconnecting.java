package agentmsg.internal.client;

import agentmsg.AgentMsgException;
import java.util.Set;

/**
 * The one reconnect loop of the long-lived clients ({@code connect} and the MCP server's link):
 * connect, converse until the connection closes, and connect again with backoff (100 ms doubling up
 * to 5 s, back to 100 ms after each welcome). An upgrade refusal, or a server never reached, ends
 * the loop with its error: retrying cannot help there.
 */
public final class Reconnecting {
  static final long FIRST_BACKOFF_MILLIS = 100;
  static final long MAX_BACKOFF_MILLIS = 5_000;

  /** Upgrade refusals: a credential or address that does not get better by retrying. */
  public static final Set<String> REFUSALS = Set.of("unauthorized", "forbidden", "tls-failed");

  /** What one client does at each step of the loop. */
  public interface Client {
    /** Opens a new connection. */
    WireConnection connect() throws InterruptedException;

    /** Talks over {@code connection} until it closes or the client is done with it. */
    Round converse(WireConnection connection) throws InterruptedException;

    /** Whether the client was asked to stop. */
    boolean stopped();

    /** Waits {@code millis}; false if the client was stopped meanwhile. */
    boolean pause(long millis) throws InterruptedException;

    /** A connection could not be opened; the loop tries again in {@code retryMillis}. */
    void unreachable(AgentMsgException cause, long retryMillis);

    /** A welcomed or refused connection closed; the loop connects again in {@code retryMillis}. */
    void lost(long retryMillis);

    /** {@code connection} is closed, whatever ended it. */
    default void disconnected(WireConnection connection) {}
  }

  /**
   * How one connection ended.
   *
   * @param welcomed whether the server welcomed it
   * @param done whether the client is finished: the loop ends without reconnecting
   */
  public record Round(boolean welcomed, boolean done) {}

  private Reconnecting() {}

  /**
   * Runs the loop until the client stops or is done.
   *
   * @throws AgentMsgException an upgrade refusal, or a failure to connect before any welcome
   */
  public static void run(Client client) throws InterruptedException {
    long backoff = FIRST_BACKOFF_MILLIS;
    boolean everWelcomed = false;
    while (!client.stopped()) {
      WireConnection connection;
      try {
        connection = client.connect();
      } catch (AgentMsgException e) {
        if (!everWelcomed || REFUSALS.contains(e.code())) {
          throw e;
        }
        client.unreachable(e, backoff);
        if (!client.pause(backoff)) {
          return;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        continue;
      }
      Round round;
      try (connection) {
        round = client.converse(connection);
      } finally {
        client.disconnected(connection);
      }
      if (round.welcomed()) {
        everWelcomed = true;
        backoff = FIRST_BACKOFF_MILLIS;
      }
      if (round.done() || client.stopped()) {
        return;
      }
      client.lost(backoff);
      if (!client.pause(backoff)) {
        return;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    }
  }
}
