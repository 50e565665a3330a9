package agentmsg.internal.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeTimesTest {
  @TempDir Path home;

  @Test
  void aStampVouchesForAFolderOnlyOnceTheClockHasMovedPastItsTimestamp() {
    ChangeTimes.Stamp fine = new ChangeTimes.Stamp("1/2", "1/2/t", 10_000, false);
    assertThat(fine.settledAt(10_000)).isFalse();
    assertThat(fine.settledAt(10_099)).isFalse();
    assertThat(fine.settledAt(10_100)).isTrue();

    // A file system that keeps whole seconds: a change in the same second keeps the stamp.
    ChangeTimes.Stamp coarse = new ChangeTimes.Stamp("1/2", "1/2/t", 10_000, true);
    assertThat(coarse.settledAt(11_000)).isFalse();
    assertThat(coarse.settledAt(12_000)).isTrue();
  }

  @Test
  void aFileMovedInWithAnOldModificationTimeChangesTheFolderStamp() throws Exception {
    Path folder = Files.createDirectories(home.resolve("inbox/bob"));
    Path file = Files.writeString(home.resolve("note.json"), "{}");
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    ChangeTimes.Stamp before = ChangeTimes.stamp(folder);
    // Past the folder's timestamp: a change within the same clock tick would keep it.
    while (!before.settledAt(System.currentTimeMillis())) {
      Thread.sleep(5);
    }

    Files.move(file, folder.resolve("note.json"), StandardCopyOption.ATOMIC_MOVE);

    ChangeTimes.Stamp after = ChangeTimes.stamp(folder);
    assertThat(after.folderId()).isEqualTo(before.folderId());
    assertThat(after.value()).isNotEqualTo(before.value());
    assertThat(ChangeTimes.changedMillis(folder.resolve("note.json")))
        .isGreaterThan(Instant.parse("2020-01-01T00:00:00Z").toEpochMilli());
  }

  @Test
  void whetherChangeTimesAreKeptFollowsTheFolderFileSystemAndIsAskedOncePerDevice()
      throws Exception {
    Path folder = Files.createDirectories(home.resolve("inbox/bob"));
    ChangeTimes.Stamp stamp = ChangeTimes.stamp(folder);
    String type = Files.getFileStore(folder).type();
    boolean expected =
        Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "zfs", "f2fs", "overlay")
            .contains(type);
    assertThat(ChangeTimes.kept(folder, stamp)).as("file system %s", type).isEqualTo(expected);

    // Another folder on the same device gets the answer remembered for the device, without a
    // look at the mount table: a folder that is not there could not have been looked up.
    Path gone = home.resolve("inbox/nobody");
    assertThat(Files.exists(gone)).isFalse();
    assertThat(ChangeTimes.kept(gone, stamp)).isEqualTo(expected);
  }
}
