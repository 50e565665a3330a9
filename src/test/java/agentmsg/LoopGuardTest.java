package agentmsg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoopGuardTest {
  private static final int LIMIT = 4;

  @TempDir Path home;
  private final List<AgentMessenger> open = new ArrayList<>();
  private AgentMessenger alice;
  private AgentMessenger bob;
  private AgentMessenger carol;

  @BeforeEach
  void agents() {
    alice = open("alice", LIMIT);
    bob = open("bob", LIMIT);
    carol = open("carol", LIMIT);
    alice.register(AgentType.CLAUDE_CODE);
    bob.register(AgentType.CODEX);
    carol.register(AgentType.HUMAN);
  }

  @AfterEach
  void close() {
    open.forEach(AgentMessenger::close);
  }

  private AgentMessenger open(String agent, int limit) {
    AgentMessenger messenger =
        AgentMessenger.open(
            Options.builder()
                .home(home)
                .agent(agent)
                .loopLimit(limit)
                .warningListener(warning -> {})
                .build());
    open.add(messenger);
    return messenger;
  }

  /** Alice and bob answer each other in one thread; returns the thread. */
  private String pingPong(int sends) {
    Message first = alice.send("bob", "ping 1");
    String thread = first.thread();
    for (int i = 2; i <= sends; i++) {
      AgentMessenger from = i % 2 == 0 ? bob : alice;
      String to = i % 2 == 0 ? "alice" : "bob";
      from.submit(MessageDraft.to(to, "ping " + i).withThread(thread));
    }
    return thread;
  }

  @Test
  void theLastSendHoldsTheThreadAndTheNextIsRefusedAndNotStored() {
    String thread = pingPong(LIMIT - 1);

    Sent last = bob.submit(MessageDraft.to("alice", "the last one").withThread(thread));

    assertThat(last.heldThread()).isEqualTo(thread);
    assertThat(last.holdLimit()).isEqualTo(LIMIT);
    assertThat(alice.heldThreads(List.of(thread, "other"))).containsExactly(thread);
    assertThatThrownBy(() -> alice.send(MessageDraft.to("bob", "one more").withThread(thread)))
        .isInstanceOf(ThreadHeldException.class)
        .hasMessageContaining("thread " + thread + " is held: 4 agent messages in a row")
        .hasMessageContaining("nothing was sent")
        .extracting(e -> ((AgentMsgException) e).code())
        .isEqualTo("thread-held");
    assertThat(alice.thread(thread)).hasSize(LIMIT);
  }

  @Test
  void aHumansMessageReleasesTheThread() {
    String thread = pingPong(LIMIT);
    assertThat(alice.heldThreads(List.of(thread))).containsExactly(thread);

    Sent human = carol.submit(MessageDraft.to("alice", "carry on").withThread(thread));

    assertThat(human.heldThread()).isNull();
    assertThat(alice.heldThreads(List.of(thread))).isEmpty();
    for (int i = 0; i < LIMIT - 1; i++) {
      assertThat(alice.submit(MessageDraft.to("bob", "again " + i).withThread(thread)).heldThread())
          .isNull();
    }
    assertThat(alice.submit(MessageDraft.to("bob", "last").withThread(thread)).heldThread())
        .isEqualTo(thread);
  }

  @Test
  void messagesToAHumanNeitherCountNorRelease() {
    String thread = pingPong(LIMIT - 1);
    for (int i = 0; i < 10; i++) {
      alice.send(MessageDraft.to("carol", "status " + i).withThread(thread));
    }

    assertThat(bob.submit(MessageDraft.to("alice", "fourth").withThread(thread)).heldThread())
        .isEqualTo(thread);
    alice.send(MessageDraft.to("carol", "held: can you look?").withThread(thread));
    assertThat(alice.heldThreads(List.of(thread))).containsExactly(thread);
  }

  @Test
  void aThreadsOwnLimitRaisesOrLowersItsHold() {
    String thread = pingPong(LIMIT);
    assertThat(alice.heldThreads(List.of(thread))).containsExactly(thread);

    assertThat(alice.holdAfter(thread, 6)).isEqualTo(LIMIT);
    assertThat(alice.heldThreads(List.of(thread))).isEmpty();
    alice.send(MessageDraft.to("bob", "five").withThread(thread));
    assertThat(bob.submit(MessageDraft.to("alice", "six").withThread(thread)).holdLimit())
        .isEqualTo(6);
    assertThatThrownBy(() -> alice.send(MessageDraft.to("bob", "seven").withThread(thread)))
        .isInstanceOf(ThreadHeldException.class);

    alice.holdAfter(thread, 0);
    alice.send(MessageDraft.to("bob", "unguarded").withThread(thread));
    alice.holdAfter(thread, null);
    assertThat(alice.heldThreads(List.of(thread))).containsExactly(thread);
    assertThatThrownBy(() -> alice.holdAfter(thread, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aFanOutCountsOnceInItsThread() {
    AgentMessenger dave = open("dave", LIMIT);
    dave.register(AgentType.OPEN_CODE);
    List<Message> copies = alice.send(MessageDraft.to("@all", "stand-up"));
    String thread = copies.get(0).thread();
    assertThat(copies).hasSize(3);

    bob.send(MessageDraft.to("alice", "here").withThread(thread));
    dave.send(MessageDraft.to("alice", "here too").withThread(thread));

    assertThat(alice.submit(MessageDraft.to("@all", "thanks").withThread(thread)).heldThread())
        .isEqualTo(thread);
  }

  @Test
  void concurrentSendersTogetherStoreExactlyTheLimit() throws Exception {
    String thread = alice.send("bob", "start").thread();
    int limit = 12;
    List<AgentMessenger> senders = new ArrayList<>();
    for (String name : List.of("alice", "bob")) {
      for (int i = 0; i < 2; i++) {
        senders.add(open(name, limit));
      }
    }
    AtomicInteger stored = new AtomicInteger(1);
    AtomicInteger refused = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(senders.size());
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (AgentMessenger sender : senders) {
        String to = sender.agent().equals("alice") ? "bob" : "alice";
        runs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < limit; i++) {
                    try {
                      sender.send(MessageDraft.to(to, "race " + i).withThread(thread));
                      stored.incrementAndGet();
                    } catch (ThreadHeldException held) {
                      refused.incrementAndGet();
                    }
                  }
                }));
      }
      for (Future<?> run : runs) {
        run.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    assertThat(stored.get()).isEqualTo(limit);
    assertThat(alice.thread(thread)).hasSize(limit);
    assertThat(refused.get()).isEqualTo(senders.size() * limit - (limit - 1));
  }

  @Test
  void aBadLimitIsRefusedByName() {
    assertThatThrownBy(() -> Options.builder().loopLimit(1))
        .hasMessageContaining("loopLimit must be 0 (off) or 2 to 1000000, was 1");
    assertThatThrownBy(
            () -> Options.builder().environment(java.util.Map.of("AGENT_MSG_LOOP_LIMIT", "x")))
        .hasMessageContaining("AGENT_MSG_LOOP_LIMIT must be 0 (off) or 2 to 1000000, was 'x'");
    assertThat(
            Options.builder()
                .environment(java.util.Map.of("AGENT_MSG_LOOP_LIMIT", "50"))
                .build()
                .loopLimit())
        .isEqualTo(50);
  }
}
