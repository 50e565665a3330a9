package agentmsg.internal.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.Message;
import agentmsg.internal.store.Store;
import agentmsg.internal.store.StoreSql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dropped file that names no usable id is stored once, however many readers take it in and
 * however often: the id it gets depends only on the file.
 */
class ImportOnceTest {
  @TempDir Path home;
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private Store store;
  private MailboxLayout layout;
  private Path inbox;

  @BeforeEach
  void open() throws IOException {
    store = Store.open(home, Duration.ofSeconds(10));
    layout = new MailboxLayout(home);
    inbox = Files.createDirectories(layout.inbox("bob"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void twoReadersTakingInTheSameFileAtOnceStoreItOnce() throws Exception {
    Path dropped = inbox.resolve("note from the build.json");
    Files.writeString(dropped, "{\"from\":\"ci\",\"message\":\"build 7 is green\"}");
    // Each reader waits, once it has read the file, until the other has read it too.
    CyclicBarrier bothRead = new CyclicBarrier(2);
    ExecutorService readers = Executors.newFixedThreadPool(2);
    try (Store other = Store.open(home, Duration.ofSeconds(30))) {
      // Opened (and migrated) one after the other, as two processes would find the store.
      for (Store each : List.of(store, other)) {
        each.reach();
      }
      List<Future<Integer>> looks = new ArrayList<>();
      for (Store each : List.of(store, other)) {
        InboxImporter reader = importer(each, file -> await(bothRead));
        looks.add(readers.submit(() -> reader.importAll("bob")));
      }
      for (Future<Integer> look : looks) {
        look.get(60, TimeUnit.SECONDS);
      }
    } finally {
      readers.shutdownNow();
      assertThat(readers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    List<Message> stored = receivedByBob();
    assertThat(stored).extracting(Message::body).containsExactly("build 7 is green");
    assertThat(filesIn(inbox)).containsExactly(stored.get(0).id() + ".json");
    assertThat(warnings).isEmpty();
  }

  @Test
  void aFileFoundAgainAfterACrashBeforeItWasDeletedIsNotStoredTwice() throws Exception {
    Path dropped = inbox.resolve("note from the build.json");
    String content = "{\"from\":\"ci\",\"message\":\"build 8 is green\",\"id\":\"not an id!\"}";
    Files.writeString(dropped, content);
    InboxImporter reader = importer(store, file -> {});
    assertThat(reader.importAll("bob")).isEqualTo(1);
    assertThat(dropped).doesNotExist();

    // What a reader that crashed after the store synced, before it deleted the file, leaves.
    Files.writeString(dropped, content);
    reader.importAll("bob");

    List<Message> stored = receivedByBob();
    assertThat(stored).extracting(Message::body).containsExactly("build 8 is green");
    assertThat(dropped).doesNotExist();
    assertThat(filesIn(inbox)).containsExactly(stored.get(0).id() + ".json");
  }

  @Test
  void theSameContentDroppedUnderTwoNamesIsTwoMessages() throws Exception {
    String content = "{\"from\":\"ci\",\"message\":\"deploy done\"}";
    Files.writeString(inbox.resolve("first drop.json"), content);
    Files.writeString(inbox.resolve("second drop.json"), content);
    InboxImporter reader = importer(store, file -> {});

    assertThat(reader.importAll("bob")).isEqualTo(2);
    List<Message> stored = receivedByBob();
    assertThat(stored).extracting(Message::body).containsExactly("deploy done", "deploy done");
    assertThat(stored.get(0).id()).isNotEqualTo(stored.get(1).id());
  }

  @Test
  void theIdOfAFileWithoutOneIsAValidName() throws Exception {
    Files.writeString(
        inbox.resolve("x".repeat(80) + ".json"), "{\"from\":\"ci\",\"message\":\"long name\"}");
    importer(store, file -> {}).importAll("bob");

    assertThat(receivedByBob())
        .singleElement()
        .satisfies(message -> assertThat(agentmsg.AgentNames.isValid(message.id())).isTrue());
  }

  private InboxImporter importer(Store on, Consumer<Path> beforeStore) {
    return new InboxImporter(
        on, layout, new MirrorWriter(layout), 1 << 20, warnings::add, 200, beforeStore);
  }

  private List<Message> receivedByBob() {
    return StoreSql.received(store, "bob", 100);
  }

  private static List<String> filesIn(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (BrokenBarrierException | TimeoutException e) {
      throw new IllegalStateException("the other reader never read the file", e);
    }
  }
}
