package agentmsg.internal.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hook's "nothing new" mark: trusted only while the inbox folder is as it was seen. */
class HookMarkTest {
  @TempDir Path home;

  @Test
  void aMarkHoldsWhileTheFolderIsUnchangedAndFailsOnceAFileLands() throws Exception {
    Path inbox = Files.createDirectories(home.resolve("inbox/bob"));
    Files.setLastModifiedTime(inbox, FileTime.from(Instant.now().minusSeconds(5)));
    String seen = HookMark.observe(home, "bob");
    assertThat(seen).startsWith("v1 ");
    HookMark.write(home, "bob", seen);
    assertThat(HookMark.nothingNew(home, "bob")).isTrue();
    Files.writeString(inbox.resolve("new.json"), "{}");
    assertThat(HookMark.nothingNew(home, "bob")).isFalse();
  }

  @Test
  void aFolderChangedJustNowIsNotMarkedAndAnAbsentOneIs() throws Exception {
    assertThat(HookMark.observe(home, "bob")).isEqualTo("v1 absent\n");
    HookMark.write(home, "bob", HookMark.observe(home, "bob"));
    assertThat(HookMark.nothingNew(home, "bob")).isTrue();
    Files.createDirectories(home.resolve("inbox/bob"));
    assertThat(HookMark.nothingNew(home, "bob")).isFalse();
    assertThat(HookMark.observe(home, "bob")).isNull();
  }

  @Test
  void anOldMarkOrAnotherAgentsIsNotTrusted() throws Exception {
    HookMark.write(home, "bob", "v1 absent\n");
    assertThat(HookMark.nothingNew(home, "carol")).isFalse();
    Files.setLastModifiedTime(
        HookMark.file(home, "bob"),
        FileTime.from(Instant.now().minus(HookMark.MAX_AGE).minusSeconds(1)));
    assertThat(HookMark.nothingNew(home, "bob")).isFalse();
  }
}
