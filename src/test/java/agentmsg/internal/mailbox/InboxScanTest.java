package agentmsg.internal.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.Message;
import agentmsg.internal.store.MailStore;
import agentmsg.internal.store.NewMessage;
import agentmsg.internal.store.Store;
import agentmsg.internal.store.StoreSql;
import agentmsg.json.MessageJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A look at a whole inbox folder checks only what is new, yet never misses a dropped file: the
 * marks it keeps in the store ({@code inbox_scan}) against the ways a file can arrive.
 */
class InboxScanTest {
  /** Mirror files already in the inbox: enough that a missed file would hide among them. */
  private static final int MIRRORED = 500;

  /**
   * The importer's clock margin here: the logic is the same with the product's 2 s, but the tests
   * would wait that long for the clock to pass it.
   */
  private static final long MARGIN_MILLIS = 200;

  private static final FileTime LONG_AGO = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));

  @TempDir Path home;
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private Store store;
  private MailboxLayout layout;
  private InboxImporter importer;
  private Path inbox;
  private Path outside;

  @BeforeEach
  void fillTheInbox() throws IOException {
    store = Store.open(home, Duration.ofSeconds(10));
    layout = new MailboxLayout(home);
    importer = importer(store);
    inbox = Files.createDirectories(layout.inbox("bob"));
    outside = Files.createDirectories(home.resolve("elsewhere"));
    List<NewMessage> rows = new ArrayList<>();
    for (int i = 0; i < MIRRORED; i++) {
      rows.add(
          NewMessage.plain(
              String.format("m-%05d", i), "alice", "bob", "mirrored " + i, 1_000L * i));
    }
    List<Message> stored = StoreSql.insert(store, rows);
    for (Message message : stored) {
      Files.writeString(layout.inboxFile("bob", message.id()), MessageJson.toFileJson(message));
    }
  }

  @AfterEach
  void close() {
    store.close();
  }

  private InboxImporter importer(Store on) {
    return new InboxImporter(
        on, layout, new MirrorWriter(layout), 1 << 20, warnings::add, MARGIN_MILLIS);
  }

  @Test
  void aFileDroppedAfterManyMirrorFilesIsImported() throws Exception {
    lookUntilTheMirrorIsBehindTheMark();

    Files.writeString(inbox.resolve("late.json"), legacy("late", "dropped after the others"));

    assertThat(importer.importAll("bob")).isEqualTo(1);
    assertThat(bodiesTo("bob")).contains("dropped after the others").hasSize(MIRRORED + 1);
    assertThat(importer.importAll("bob")).isZero();
    assertThat(bodiesTo("bob")).hasSize(MIRRORED + 1);
    assertThat(warnings).isEmpty();
  }

  @Test
  void filesMovedInWithAnOldModificationTimeAreImported() throws Exception {
    lookUntilTheMirrorIsBehindTheMark();
    Path moved = oldFile("moved", "moved in with mv");
    Path copied = oldFile("copied", "copied in with cp -p");
    Path linked = oldFile("linked", "linked in with ln");

    Files.move(moved, inbox.resolve("moved.json"), StandardCopyOption.ATOMIC_MOVE);
    Files.copy(copied, inbox.resolve("copied.json"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.createLink(inbox.resolve("linked.json"), linked);
    assertThat(Files.getLastModifiedTime(inbox.resolve("moved.json"))).isEqualTo(LONG_AGO);

    assertThat(importer.importAll("bob")).isEqualTo(3);
    assertThat(bodiesTo("bob"))
        .contains("moved in with mv", "copied in with cp -p", "linked in with ln");
    assertThat(importer.importAll("bob")).isZero();
    assertThat(bodiesTo("bob")).hasSize(MIRRORED + 3);
  }

  @Test
  void aMalformedFileMovedInWithAnOldTimeIsSetAsideOnce() throws Exception {
    lookUntilTheMirrorIsBehindTheMark();
    Path broken = outside.resolve("broken.json");
    Files.writeString(broken, "{\"from\": \"legacy\", \"message\": ");
    Files.setLastModifiedTime(broken, LONG_AGO);

    Files.move(broken, inbox.resolve("broken.json"), StandardCopyOption.ATOMIC_MOVE);

    assertThat(importer.importAll("bob")).isZero();
    assertThat(inbox.resolve("broken.json")).doesNotExist();
    assertThat(Files.readString(home.resolve("rejected/bob/broken.json.reason")))
        .contains("not valid JSON");
    assertThat(importer.importAll("bob")).isZero();
    assertThat(warnings).singleElement().asString().contains("rejected", "broken.json");
    assertThat(bodiesTo("bob")).hasSize(MIRRORED);
  }

  @Test
  void aFileLeftWhileBeingWrittenIsImportedOnceItIsComplete() throws Exception {
    Path partial = inbox.resolve("partial.json");
    Files.writeString(partial, "{\"from\": \"writer\", \"mess");
    awaitSettled(inbox);

    assertThat(importer.importAll("bob")).isZero(); // fresh and malformed: maybe still written
    assertThat(partial).exists();
    // The writer finishes in place: the file changes, the folder does not.
    Files.writeString(partial, legacy("partial", "finished in place"));

    assertThat(importer.importAll("bob")).isEqualTo(1);
    assertThat(bodiesTo("bob")).contains("finished in place");
    assertThat(warnings).isEmpty();
  }

  @Test
  void aMalformedFileStampedAheadOfOurClockIsSetAsideOnceItIsOld() throws Exception {
    // Written with a clock 1 s ahead of ours: it looks fresh (maybe still being written) for
    // longer than its change time, which is ours, says.
    Path ahead = inbox.resolve("ahead.json");
    Files.writeString(ahead, "{\"from\": \"writer\", \"mess");
    FileTime modified = FileTime.fromMillis(System.currentTimeMillis() + 1_000);
    Files.setLastModifiedTime(ahead, modified);
    awaitClock(ChangeTimes.changedMillis(ahead) + MARGIN_MILLIS + 1);

    assertThat(importer.importAll("bob")).isZero();
    assertThat(ahead).exists();
    awaitClock(modified.toMillis() + InboxImporter.SETTLE_MILLIS + 1);

    assertThat(importer.importAll("bob")).isZero();
    assertThat(ahead).doesNotExist();
    assertThat(home.resolve("rejected/bob/ahead.json")).exists();
  }

  @Test
  void aFolderMovedIntoPlaceIsLookedAtInFull() throws Exception {
    // Prepared before the inbox is looked at: its file's change time is behind the mark.
    Path replacement = Files.createDirectories(outside.resolve("bob-restored"));
    Files.writeString(replacement.resolve("restored.json"), legacy("restored", "from a backup"));
    lookUntilTheMirrorIsBehindTheMark();

    Files.move(inbox, outside.resolve("bob-before"), StandardCopyOption.ATOMIC_MOVE);
    Files.move(replacement, inbox, StandardCopyOption.ATOMIC_MOVE);

    assertThat(importer.importAll("bob")).isEqualTo(1);
    assertThat(bodiesTo("bob")).contains("from a backup");
  }

  @Test
  void aMarkRecordedByAClockAheadOfOursIsNotTrusted() throws Exception {
    assertThat(importer.importAll("bob")).isZero();
    Files.writeString(inbox.resolve("after.json"), legacy("after", "dropped after a clock step"));
    // As if the previous look ran while the clock was an hour ahead, and it was then set back.
    long hourAhead = System.currentTimeMillis() + Duration.ofHours(1).toMillis();
    MailStore.ScanMark mark = mark();
    saveMark(new MailStore.ScanMark(mark.folderId(), null, hourAhead, mark.fullAt(), hourAhead));

    assertThat(importer.importAll("bob")).isEqualTo(1);
    assertThat(bodiesTo("bob")).contains("dropped after a clock step");
    assertThat(mark().scannedAt()).isLessThan(hourAhead);
  }

  @Test
  void everyNameIsCheckedAtLeastOnceAnHourWhateverTheMarkSays() throws Exception {
    assertThat(importer.importAll("bob")).isZero();
    Files.writeString(inbox.resolve("hidden.json"), legacy("hidden", "missed by a wrong mark"));
    // A mark that wrongly vouches for the folder with the file in it, as a clock set back by
    // more than the margin could leave behind.
    long now = System.currentTimeMillis();
    String stampNow = ChangeTimes.stamp(inbox).value();
    MailStore.ScanMark wrong = mark();
    saveMark(new MailStore.ScanMark(wrong.folderId(), stampNow, now + 60_000, now, now));
    assertThat(importer.importAll("bob")).isZero(); // the mark is trusted while it is recent

    saveMark(
        new MailStore.ScanMark(
            wrong.folderId(),
            stampNow,
            now + 60_000,
            now - InboxImporter.FULL_LOOK_EVERY_MILLIS,
            now));

    assertThat(importer.importAll("bob")).isEqualTo(1);
    assertThat(bodiesTo("bob")).contains("missed by a wrong mark");
    assertThat(mark().fullAt()).isGreaterThanOrEqualTo(now);
  }

  @Test
  void looksInSeveralStoresAtOnceImportEachDroppedFileOnce() throws Exception {
    int drops = 200;
    lookUntilTheMirrorIsBehindTheMark();
    List<Store> stores = List.of(Store.open(home, Duration.ofSeconds(30)), store);
    ExecutorService looking = Executors.newFixedThreadPool(stores.size());
    try {
      CountDownLatch dropped = new CountDownLatch(1);
      List<Future<Integer>> looks = new ArrayList<>();
      for (Store each : stores) {
        InboxImporter another = importer(each);
        looks.add(
            looking.submit(
                () -> {
                  int imported = 0;
                  while (dropped.getCount() > 0) {
                    imported += another.importAll("bob");
                  }
                  return imported + another.importAll("bob");
                }));
      }
      for (int i = 0; i < drops; i++) {
        Path file = outside.resolve("drop-" + i + ".json");
        Files.writeString(file, legacy("drop-" + i, "drop " + i));
        Files.setLastModifiedTime(file, LONG_AGO);
        Files.move(file, inbox.resolve("drop-" + i + ".json"), StandardCopyOption.ATOMIC_MOVE);
      }
      dropped.countDown();
      for (Future<Integer> look : looks) {
        look.get(60, TimeUnit.SECONDS);
      }
    } finally {
      looking.shutdownNow();
      assertThat(looking.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      stores.get(0).close();
    }
    List<String> bodies = bodiesTo("bob");
    assertThat(bodies).hasSize(MIRRORED + drops).doesNotHaveDuplicates();
    assertThat(importer.importAll("bob")).isZero();
    assertThat(warnings).isEmpty();
  }

  /**
   * Looks once every file made so far is behind the watermark a look now records, and checks that
   * the mark vouches for the whole folder: the next look checks only what comes after.
   */
  private void lookUntilTheMirrorIsBehindTheMark() throws Exception {
    long madeBefore = System.currentTimeMillis() + 1;
    awaitClock(madeBefore + MARGIN_MILLIS);
    assertThat(importer.importAll("bob")).isZero();
    MailStore.ScanMark mark = mark();
    assertThat(mark.folderStamp()).isEqualTo(ChangeTimes.stamp(inbox).value());
    assertThat(mark.checkedBefore()).isGreaterThanOrEqualTo(madeBefore);
  }

  /** Waits until the folder's current stamp is old enough for a look to vouch for it. */
  private static void awaitSettled(Path folder) throws Exception {
    ChangeTimes.Stamp stamp = ChangeTimes.stamp(folder);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!stamp.settledAt(System.currentTimeMillis())) {
      assertThat(System.nanoTime()).as("waiting for the clock").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  /** Waits until the wall clock reads at least {@code millis}: time is the condition here. */
  private static void awaitClock(long millis) throws InterruptedException {
    long wait;
    while ((wait = millis - System.currentTimeMillis()) > 0) {
      Thread.sleep(Math.min(wait, 50));
    }
  }

  private Path oldFile(String id, String body) throws IOException {
    Path file = outside.resolve(id + ".json");
    Files.writeString(file, legacy(id, body));
    Files.setLastModifiedTime(file, LONG_AGO);
    return file;
  }

  /** A message file in the original tool's format. */
  private static String legacy(String id, String body) {
    return "{\"id\":\""
        + id
        + "\",\"from\":\"legacy-tool\",\"to\":\"bob\",\"message\":\""
        + body
        + "\",\"timestamp\":\"2024-11-24T00:00:00.000Z\"}";
  }

  private List<String> bodiesTo(String agent) {
    return StoreSql.call(
        store,
        handle ->
            handle
                .createQuery("SELECT body FROM message WHERE recipient = :agent")
                .bind("agent", agent)
                .mapTo(String.class)
                .list());
  }

  private MailStore.ScanMark mark() {
    return store.scanMark("bob").orElseThrow();
  }

  private void saveMark(MailStore.ScanMark mark) {
    store.saveScanMark("bob", mark);
  }
}
