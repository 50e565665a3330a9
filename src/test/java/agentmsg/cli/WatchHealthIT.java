package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.MessageDraft;
import agentmsg.Options;
import agentmsg.RecipientHealth;
import agentmsg.internal.store.Store;
import agentmsg.internal.store.StoreSql;
import agentmsg.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A watcher armed in another process is the recipient's wake path, until it ends. */
class WatchHealthIT {
  @TempDir Path home;

  private AgentMessenger open(String agent) {
    return AgentMessenger.open(
        Options.builder().home(home).agent(agent).warningListener(warning -> {}).build());
  }

  private Long watchUntil(String agent) {
    try (Store store = Store.open(home, Duration.ofSeconds(30))) {
      return StoreSql.call(
          store,
          handle ->
              handle
                  .createQuery("SELECT watch_until FROM agent WHERE name = :name")
                  .bind("name", agent)
                  .mapTo(Long.class)
                  .findOne()
                  .orElse(null));
    }
  }

  @Test
  void anArmedWatchWakesTheRecipientAndItsEndIsSeen() throws Exception {
    try (AgentMessenger alice = open("alice");
        AgentMessenger bob = open("bob")) {
      alice.register(AgentType.CLAUDE_CODE);
      bob.register(AgentType.CODEX);
      assertThat(alice.submit(MessageDraft.to("bob", "before")).recipients().get(0).awake())
          .isFalse();
      assertThat(bob.take().messages()).hasSize(1);

      try (ChildJvm watcher =
          ChildJvm.cli(home, Map.of(), "watch", "bob", "--timeout", "120", "--json")) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (watchUntil("bob") == null && System.nanoTime() < deadline && watcher.isAlive()) {
          Thread.onSpinWait();
        }
        RecipientHealth armed = alice.submit(MessageDraft.to("bob", "wake up")).recipients().get(0);
        assertThat(armed.wake()).isEqualTo(RecipientHealth.WATCH);
        assertThat(armed.awake()).isTrue();
        assertThat(armed.wakeSeenAt()).isAfter(java.time.Instant.now().plusSeconds(60));

        ChildJvm.Result woke = watcher.awaitExit(60);
        assertThat(woke.exitCode()).as(woke.toString()).isZero();
        assertThat(woke.stdout()).contains("\"new\":1");
      }
      RecipientHealth ended = alice.submit(MessageDraft.to("bob", "again")).recipients().get(0);
      assertThat(ended.wake()).isNull();
      assertThat(ended.awake()).isFalse();
    }
  }
}
