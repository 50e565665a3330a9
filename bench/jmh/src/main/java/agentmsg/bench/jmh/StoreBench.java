package agentmsg.bench.jmh;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.Options;
import agentmsg.internal.mailbox.MailboxLayout;
import agentmsg.json.MessageJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The store through the public API, on a real H2 file in a temporary home. A send is the whole
 * product path: one transaction, {@code CHECKPOINT SYNC} (a disk sync) and two mirror files.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StoreBench {

  /** A fresh home with alice and bob registered; sends pile up in it as the trial runs. */
  @State(Scope.Benchmark)
  public static class Sending {
    Path home;
    AgentMessenger alice;
    String body;

    @Setup(Level.Trial)
    public void open() {
      home = TempHome.create("send");
      alice = messenger(home, "alice");
      alice.register(AgentType.OTHER);
      alice.register("bob", AgentType.OTHER);
      body = TempHome.body(200);
    }

    @TearDown(Level.Trial)
    public void close() {
      alice.close();
      TempHome.delete(home);
    }
  }

  /**
   * Bob's inbox holding {@code messages} messages from alice, all read but the newest {@code
   * unread}: a busy agent's inbox, not a backlog.
   *
   * <p>Sending them would take minutes (each send syncs the disk), so they arrive the way the
   * original tool delivered: as JSON files dropped into bob's inbox folder, which bob's first read
   * imports (one transaction per file, one sync at the end) and mirrors. The store and the mirror
   * end up as after as many sends.
   */
  @State(Scope.Benchmark)
  public static class Inbox {
    @Param("10000")
    int messages;

    @Param("50")
    int unread;

    Path home;
    AgentMessenger bob;

    @Setup(Level.Trial)
    public void fill() throws IOException {
      home = TempHome.create("inbox");
      bob = messenger(home, "bob");
      bob.register(AgentType.OTHER);
      bob.register("alice", AgentType.OTHER);
      Path inbox = new MailboxLayout(home).inbox("bob");
      String body = TempHome.body(200);
      Instant start = Instant.parse("2026-11-01T00:00:00Z");
      for (int i = 0; i < messages; i++) {
        String id = String.format("m-%06d", i);
        Message message =
            new Message(id, 0, "alice", "bob", body, start.plusSeconds(i), null, null, null);
        Files.writeString(inbox.resolve(id + ".json"), MessageJson.toFileJson(message));
      }
      List<Message> all = bob.unread();
      if (all.size() != messages) {
        throw new IllegalStateException("imported " + all.size() + " of " + messages);
      }
      bob.markRead(all.subList(0, messages - unread));
    }

    @TearDown(Level.Trial)
    public void close() {
      bob.close();
      TempHome.delete(home);
    }
  }

  static AgentMessenger messenger(Path home, String agent) {
    return AgentMessenger.open(
        Options.builder()
            .home(home)
            .agent(agent)
            .storeHost(false)
            .warningListener(
                warning -> {
                  throw new IllegalStateException("unexpected warning: " + warning);
                })
            .build());
  }

  /** Store insert: one message, committed, synced to disk and mirrored before it returns. */
  @Benchmark
  public Message send(Sending state) {
    return state.alice.send("bob", state.body);
  }

  /** The newest 50 of the inbox, read or not. */
  @Benchmark
  public List<Message> history50(Inbox state) {
    return state.bob.history(50);
  }

  /** The unread messages of the inbox, left unread. */
  @Benchmark
  public List<Message> unread(Inbox state) {
    return state.bob.unread();
  }
}
