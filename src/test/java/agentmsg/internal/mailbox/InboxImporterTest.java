package agentmsg.internal.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InboxImporterTest {
  @TempDir Path home;
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private AgentMessenger bob;

  @BeforeEach
  void registerBob() {
    bob =
        AgentMessenger.open(
            Options.builder().home(home).agent("bob").warningListener(warnings::add).build());
    bob.register(AgentType.CODEX);
  }

  @AfterEach
  void close() {
    bob.close();
  }

  @Test
  void aFileInTheOriginalFormatIsImportedOnceAndReplacedByItsMirror() throws Exception {
    Path dropped = home.resolve("inbox/bob/1732406400000-abc.json");
    Files.writeString(
        dropped,
        "{\"id\":\"1732406400000-abc\",\"from\":\"legacy-tool\",\"to\":\"bob\","
            + "\"message\":\"hello from the old tool\",\"timestamp\":\"2024-11-24T00:00:00.000Z\"}");

    List<Message> first = bob.checkInbox();
    assertThat(first)
        .singleElement()
        .satisfies(
            message -> {
              assertThat(message.id()).isEqualTo("1732406400000-abc");
              assertThat(message.from()).isEqualTo("legacy-tool");
              assertThat(message.body()).isEqualTo("hello from the old tool");
              assertThat(message.timestamp()).isEqualTo(Instant.parse("2024-11-24T00:00:00Z"));
            });
    assertThat(bob.checkInbox()).isEmpty();
    assertThat(bob.history(10)).hasSize(1);
    assertThat(dropped).exists(); // its name is its id: it became the mirror file
    assertThat(home.resolve("outbox/legacy-tool/1732406400000-abc.json")).exists();
  }

  @Test
  void aForeignFileWithoutAnIdGetsOneAndTheOriginalNameGoes() throws Exception {
    Path dropped = home.resolve("inbox/bob/note.json");
    Files.writeString(dropped, "{\"from\":\"script\",\"message\":\"no id here\"}");

    List<Message> got = bob.checkInbox();
    assertThat(got).singleElement().extracting(Message::id).isEqualTo("note");
    assertThat(home.resolve("inbox/bob/note.json")).exists();

    Path other = home.resolve("inbox/bob/other name.json");
    Files.writeString(other, "{\"from\":\"script\",\"message\":\"odd file name\"}");
    Message second = bob.checkInbox().get(0);
    assertThat(second.id()).matches("dropped-[0-9A-HJKMNP-TV-Z]{26}");
    assertThat(other).doesNotExist();
    assertThat(home.resolve("inbox/bob/" + second.id() + ".json")).exists();
  }

  @Test
  void aMalformedFileIsMovedAsideWithAReasonAndReadingGoesOn() throws Exception {
    Path broken = home.resolve("inbox/bob/broken.json");
    Files.writeString(broken, "{\"from\": \"x\", \"message\": ");
    Files.setLastModifiedTime(broken, FileTime.from(Instant.now().minusSeconds(60)));
    Path noSender = home.resolve("inbox/bob/nosender.json");
    Files.writeString(noSender, "{\"message\": \"who am I\"}");
    Files.setLastModifiedTime(noSender, FileTime.from(Instant.now().minusSeconds(60)));
    try (AgentMessenger alice =
        AgentMessenger.open(Options.builder().home(home).agent("alice").build())) {
      alice.register(AgentType.OTHER);
      alice.send("bob", "a good one");
    }

    assertThat(bob.checkInbox()).extracting(Message::body).containsExactly("a good one");
    assertThat(broken).doesNotExist();
    assertThat(home.resolve("rejected/bob/broken.json")).exists();
    assertThat(Files.readString(home.resolve("rejected/bob/broken.json.reason")))
        .contains("not valid JSON");
    assertThat(Files.readString(home.resolve("rejected/bob/nosender.json.reason")))
        .contains("missing field 'from'");
    assertThat(warnings)
        .anySatisfy(w -> assertThat(w).contains("rejected").contains("broken.json"));
  }

  @Test
  void aFreshMalformedFileIsLeftAloneBecauseItMayStillBeBeingWritten() throws Exception {
    Path partial = home.resolve("inbox/bob/partial.json");
    Files.writeString(partial, "{\"from\": \"writer\", \"mess");

    assertThat(bob.checkInbox()).isEmpty();
    assertThat(partial).exists();
    assertThat(warnings).isEmpty();
  }

  @Test
  void aBurstOfDroppedFilesReachesAWaitingReaderExactlyOnce() throws Exception {
    int count = 2_000;
    Path tmp = Files.createDirectories(home.resolve("drop-tmp"));
    try (var reader = bob.openInbox()) {
      for (int i = 0; i < count; i++) {
        Path file = tmp.resolve("burst-" + i + ".json");
        Files.writeString(file, "{\"from\":\"burst\",\"message\":\"" + i + "\"}");
        Files.move(file, home.resolve("inbox/bob/burst-" + i + ".json"));
      }
      java.util.Set<String> seen = new java.util.HashSet<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (seen.size() < count && System.nanoTime() < deadline) {
        for (Message message : reader.next(Duration.ofSeconds(5))) {
          assertThat(seen.add(message.body())).as("duplicate %s", message.body()).isTrue();
        }
      }
      assertThat(seen).hasSize(count);
    }
    assertThat(bob.history(Integer.MAX_VALUE)).hasSize(count);
  }

  @Test
  void aLinkInTheInboxIsMovedAsideUnfollowedAndWhatItPointsToIsNeverRead(@TempDir Path outside)
      throws Exception {
    Path secret = outside.resolve("secret.json");
    Files.writeString(secret, "{\"from\":\"mallory\",\"message\":\"outside secret\"}");
    Path toSecret = home.resolve("inbox/bob/secret.json");
    Files.createSymbolicLink(toSecret, secret);
    Path toPasswd = home.resolve("inbox/bob/passwd.json");
    Files.createSymbolicLink(toPasswd, Path.of("/etc/passwd"));

    assertThat(bob.checkInbox()).isEmpty();

    assertThat(bob.history(10)).isEmpty();
    assertThat(toSecret).doesNotExist();
    Path aside = home.resolve("rejected/bob/secret.json");
    assertThat(Files.isSymbolicLink(aside)).as("the link itself is moved, not a copy").isTrue();
    assertThat(secret).hasContent("{\"from\":\"mallory\",\"message\":\"outside secret\"}");
    for (String name : List.of("secret.json", "passwd.json")) {
      // Refused as a link, before any content was parsed (which would say "not valid JSON").
      assertThat(Files.readString(home.resolve("rejected/bob/" + name + ".reason")))
          .contains("a symbolic link")
          .doesNotContain("JSON");
    }
  }

  @Test
  void aFileTooLargeForAnyMessageIsRejectedUnreadAndReadingGoesOn() throws Exception {
    // Sparse: 3 GiB on paper, nothing on disk. Reading it whole was an OutOfMemoryError.
    Path huge = home.resolve("inbox/bob/huge.json");
    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(3L << 30);
    }
    Path large = home.resolve("inbox/bob/large.json");
    Files.writeString(large, "{\"from\":\"big\",\"message\":\"" + "a".repeat(7_000_000) + "\"}");
    try (AgentMessenger alice =
        AgentMessenger.open(Options.builder().home(home).agent("alice").build())) {
      alice.register(AgentType.OTHER);
      alice.send("bob", "a good one");
    }

    assertThat(bob.checkInbox()).extracting(Message::body).containsExactly("a good one");

    for (String name : List.of("huge.json", "large.json")) {
      assertThat(home.resolve("inbox/bob/" + name)).doesNotExist();
      assertThat(home.resolve("rejected/bob/" + name)).exists();
      assertThat(Files.readString(home.resolve("rejected/bob/" + name + ".reason")))
          .contains("over 6065536 bytes", "not read");
    }
  }

  @Test
  @org.junit.jupiter.api.Timeout(
      60) // opening a pipe without a writer blocks: the old importer hung
  void aPipeInTheInboxIsRejectedWithoutBeingOpened() throws Exception {
    Path pipe = home.resolve("inbox/bob/pipe.json");
    Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
    assertThat(mkfifo.waitFor()).isZero();

    assertThat(bob.checkInbox()).isEmpty();

    assertThat(pipe).doesNotExist();
    assertThat(Files.readString(home.resolve("rejected/bob/pipe.json.reason")))
        .contains("not a regular file");
  }
}
