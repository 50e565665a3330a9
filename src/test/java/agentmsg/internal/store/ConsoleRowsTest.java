package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.MessageDraft;
import agentmsg.Options;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's reads of the loop guard, against a real H2 file. */
class ConsoleRowsTest {
  @TempDir Path home;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
  }

  private AgentMessenger agent(String name, AgentType type) {
    AgentMessenger messenger =
        AgentMessenger.open(
            Options.builder().home(home).agent(name).loopLimit(2).warningListener(w -> {}).build());
    open.add(messenger);
    messenger.register(type);
    return messenger;
  }

  private static Map<String, ConsoleStore.HeldThread> byKey(Store store, List<String> threads) {
    return store.call(handle -> ConsoleRows.held(handle, threads));
  }

  private static List<ConsoleStore.HeldThread> all(Store store) {
    return store.call(handle -> ConsoleRows.held(handle, 10));
  }

  @Test
  void heldThreadsAreFoundByKeyAndWholeWithTheirCountAndOwnLimitUntilAHumanReplies() {
    AgentMessenger alice = agent("alice", AgentType.CLAUDE_CODE);
    AgentMessenger bob = agent("bob", AgentType.CODEX);
    AgentMessenger carol = agent("carol", AgentType.HUMAN);
    Message first = alice.send("bob", "ping");
    String held = first.thread();
    bob.submit(MessageDraft.to("alice", "pong").withThread(held));
    String other = alice.send("bob", "another topic").thread();
    Store store = Store.open(home, Duration.ofSeconds(10));
    open.add(store);

    assertThat(byKey(store, List.of(held, other, "none")))
        .containsOnlyKeys(held)
        .containsValue(new ConsoleStore.HeldThread(held, 2, null));
    assertThat(all(store)).containsExactly(new ConsoleStore.HeldThread(held, 2, null));
    assertThat(new ConsoleStore.HeldThread(held, 2, null).limit(30)).isEqualTo(30);

    alice.holdAfter(held, 5);
    assertThat(all(store)).as("raised: released").isEmpty();
    alice.holdAfter(held, 2);
    assertThat(all(store)).containsExactly(new ConsoleStore.HeldThread(held, 2, 2));

    carol.submit(MessageDraft.to("alice", "enough, ship it").withThread(held));
    assertThat(byKey(store, List.of(held))).isEmpty();
    assertThat(all(store)).isEmpty();
  }
}
