package agentmsg.bench.jmh;

import agentmsg.Message;
import agentmsg.internal.mailbox.InboxImporter;
import agentmsg.internal.mailbox.MailboxLayout;
import agentmsg.internal.mailbox.MirrorWriter;
import agentmsg.internal.store.InboxFixture;
import agentmsg.internal.store.NewMessage;
import agentmsg.internal.store.Store;
import agentmsg.json.MessageJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * The look for dropped files that every read makes first ({@link InboxImporter#importAll}), on an
 * inbox folder holding {@code files} mirror files of stored messages and nothing to import.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class InboxBench {
  /** Messages stored per transaction while filling: the fixture, not the product path. */
  private static final int FILL_BATCH = 5_000;

  @Param({"10000", "100000"})
  int files;

  private Path home;
  private Store store;
  private InboxImporter importer;
  private Path touch;

  /**
   * Stores the messages in large transactions and writes their inbox mirror files directly: sending
   * them one by one (a disk sync each) or importing them as dropped files would take minutes at
   * 100,000.
   */
  @Setup(Level.Trial)
  public void fill() throws IOException {
    home = TempHome.create("scan");
    store = Store.open(home, Duration.ofSeconds(30));
    MailboxLayout layout = new MailboxLayout(home);
    Path inbox = Files.createDirectories(layout.inbox("bob"));
    String body = TempHome.body(200);
    Instant start = Instant.parse("2026-11-01T00:00:00Z");
    for (int first = 0; first < files; first += FILL_BATCH) {
      int from = first;
      int to = Math.min(files, first + FILL_BATCH);
      List<NewMessage> rows = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        rows.add(
            NewMessage.plain(id(i), "alice", "bob", body, start.plusSeconds(i).toEpochMilli()));
      }
      InboxFixture.insert(store, rows);
      for (int i = from; i < to; i++) {
        Message message =
            new Message(id(i), 0, "alice", "bob", body, start.plusSeconds(i), null, null, null);
        Files.write(
            inbox.resolve(id(i) + ".json"),
            MessageJson.toFileJson(message).getBytes(StandardCharsets.UTF_8));
      }
    }
    importer =
        new InboxImporter(
            store,
            layout,
            new MirrorWriter(layout),
            1 << 20,
            warning -> {
              throw new IllegalStateException("unexpected warning: " + warning);
            });
    touch = inbox.resolve(".bench-touch");
    if (importer.importAll("bob") != 0) {
      throw new IllegalStateException("the filled inbox had something to import");
    }
  }

  private static String id(int n) {
    return String.format("m-%07d", n);
  }

  @TearDown(Level.Trial)
  public void close() {
    store.close();
    TempHome.delete(home);
  }

  /** The look when nothing entered or left the folder since the previous one. */
  @Benchmark
  public int unchanged() {
    return importer.importAll("bob");
  }

  /**
   * The look after the folder changed (a file that is not a message came and went, as when a
   * message arrives and its mirror file is written): nothing to import, but the folder must be
   * listed again.
   */
  @Benchmark
  public int folderChanged() throws IOException {
    Files.write(touch, new byte[0]);
    Files.delete(touch);
    return importer.importAll("bob");
  }
}
