package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.MessageDraft;
import agentmsg.Options;
import agentmsg.internal.store.Store;
import agentmsg.internal.store.StoreSql;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiving connection hears its welcome before any push, however its registration and the sends
 * to it interleave. The interleaving is pinned with row locks the test holds in the store: the
 * writer waits on them, the pusher (which only reads) does not.
 */
class WelcomeFirstIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  @TempDir Path home;
  private final LogWatch log = new LogWatch();
  private AgentMsgServer server;

  @BeforeEach
  void start() {
    for (String agent : List.of("alice", "bob", "carol")) {
      try (AgentMessenger messenger = messenger(agent)) {
        messenger.register(AgentType.OTHER);
      }
    }
    server =
        AgentMsgServer.start(
            ServerOptions.builder().home(home).port(0).noAuth().log(log.stream()).build());
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private AgentMessenger messenger(String agent) {
    return AgentMessenger.open(
        Options.builder().home(home).agent(agent).warningListener(warning -> {}).build());
  }

  @Test
  void aSendCommittedWhileTheReceiverRegistersIsPushedAfterItsWelcome() throws Exception {
    try (TestSocket carol = TestSocket.hello(CLIENT.get(), server.uri(), "carol", "receive");
        TestSocket bob = TestSocket.hello(CLIENT.get(), server.uri(), "bob", "send-only");
        TestSocket alice = TestSocket.connect(CLIENT.get(), server.uri());
        Store sends = Store.open(home, Duration.ofSeconds(30));
        Store registrations = Store.open(home, Duration.ofSeconds(30))) {
      StoreSql.run(
          sends,
          sendLock ->
              StoreSql.run(
                  registrations,
                  registrationLock -> {
                    // The writer's first send from bob touches bob's row; alice's registration
                    // records her presence in hers.
                    lockRow(sendLock, "bob");
                    lockRow(registrationLock, "alice");
                    try {
                      raceRegistrationWithASend(alice, bob, carol, sendLock, registrationLock);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      throw new IllegalStateException(e);
                    } finally {
                      release(sendLock);
                      release(registrationLock);
                    }
                  }));
    }
  }

  private void raceRegistrationWithASend(
      TestSocket alice, TestSocket bob, TestSocket carol, Handle sendLock, Handle registrationLock)
      throws InterruptedException {
    bob.send(
        "{\"type\":\"send\",\"clientId\":\"c-1\",\"to\":\"alice\",\"message\":\"after the"
            + " restart\"}");
    awaitBlocked(sendLock); // the send is the writer's batch, alone
    alice.send("{\"type\":\"hello\",\"agent\":\"alice\",\"role\":\"receive\"}");
    // Logged once alice holds the name and her push state exists; her registration waits
    // behind the send.
    assertThat(log.await("connect alice (receive", 10)).as("alice's hello handled").isTrue();
    sendLock.commit();
    // Committed and offered to alice's connection before bob hears of it; the writer then waits
    // on alice's row with her registration, so no welcome has gone out.
    assertThat(bob.nextOf("stored").path("clientId").asText()).isEqualTo("c-1");
    awaitBlocked(registrationLock);
    // The pusher takes connections in order: once it pushed carol's message, sent after bob's
    // was offered to alice, it has read alice's messages too.
    try (AgentMessenger file = messenger("bob")) {
      file.send(MessageDraft.to("carol", "a marker"));
    }
    assertThat(carol.next("message").path("message").asText()).isEqualTo("a marker");
    registrationLock.commit();
    assertThat(alice.next().path("type").asText()).as("alice's first frame").isEqualTo("welcome");
    JsonNode push = alice.next("message");
    assertThat(push.path("message").asText()).isEqualTo("after the restart");
  }

  private static void release(Handle handle) {
    if (handle.isInTransaction()) {
      handle.rollback();
    }
  }

  /** Holds a row lock on {@code agent}'s row until the handle's transaction ends. */
  private static void lockRow(Handle handle, String agent) {
    handle.begin();
    handle
        .createUpdate("UPDATE agent SET last_seen_at = last_seen_at WHERE name = :name")
        .bind("name", agent)
        .execute();
  }

  /** Waits until another session waits for a lock that {@code handle}'s session holds. */
  private static void awaitBlocked(Handle handle) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (handle
            .createQuery(
                "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID = SESSION_ID()")
            .mapTo(Integer.class)
            .one()
        == 0) {
      assertThat(System.nanoTime() - deadline).as("a session waiting on the lock").isNegative();
      Thread.onSpinWait();
    }
  }
}
