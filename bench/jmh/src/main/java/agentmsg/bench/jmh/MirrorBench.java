package agentmsg.bench.jmh;

import agentmsg.Message;
import agentmsg.internal.mailbox.MailboxLayout;
import agentmsg.internal.mailbox.MirrorWriter;
import agentmsg.json.MessageJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** The JSON mirror of a sent message: encoding it, and placing one file atomically. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class MirrorBench {
  /**
   * Files written in turn: a fixed set, so that a long run does not fill the disk. After the first
   * round each write replaces a file, as a rewritten receipt does.
   */
  private static final int FILES = 1024;

  private Path home;
  private MirrorWriter writer;
  private Message message;
  private byte[] content;
  private Path[] targets;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    home = TempHome.create("mirror");
    MailboxLayout layout = new MailboxLayout(home);
    writer = new MirrorWriter(layout);
    message =
        new Message(
            "m-0123456789abcdef",
            42,
            "alice",
            "bob",
            TempHome.body(200),
            Instant.parse("2026-11-24T03:40:00.123Z"),
            null,
            null,
            null);
    content = MessageJson.toFileJson(message).getBytes(StandardCharsets.UTF_8);
    targets = new Path[FILES];
    for (int i = 0; i < FILES; i++) {
      targets[i] = layout.inboxFile("bob", "m-" + i);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    TempHome.delete(home);
  }

  /** Encoding only: the message to its mirror-file JSON text. */
  @Benchmark
  public String toFileJson() {
    return MessageJson.toFileJson(message);
  }

  /** One file: written in tmp/, then renamed into the inbox folder. */
  @Benchmark
  public void place() {
    writer.place(content, targets[next]);
    next = (next + 1) % FILES;
  }
}
