package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.internal.store.HighWater;
import agentmsg.testing.ChildJvm.Result;
import agentmsg.testing.InProcessCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A data home whose database file is damaged (bytes flipped, header zeroed) or went back in time
 * (truncated): every command says so in one line with a stable code, and {@code doctor --repair}
 * sets the file aside and brings back every message of the mirror files, with the state the
 * receipts give, and every agent. Each case works on its own copy of one real store.
 */
class StoreRepairTest {
  @TempDir static Path original;
  @TempDir Path home;

  /** The ids of the messages bob read (before his receipt) and those he had not read yet. */
  private static final List<String> READ = new ArrayList<>();

  private static final List<String> UNREAD = new ArrayList<>();

  @BeforeAll
  static void fillAStore() {
    InProcessCli cli = new InProcessCli(original);
    for (String agent : List.of("alice", "bob", "carol")) {
      assertThat(cli.run("register", agent).exitCode()).isZero();
    }
    for (int i = 1; i <= 30; i++) {
      READ.add(id(cli.run("send", "bob", "message " + i, "-s", i % 3 == 0 ? "carol" : "alice")));
    }
    assertThat(cli.run("inbox", "bob").stdout()).contains("message 30");
    for (int i = 31; i <= 40; i++) {
      UNREAD.add(id(cli.run("send", "bob", "message " + i, "-s", "alice")));
    }
    READ.add(id(cli.run("send", "alice", "thanks", "-s", "bob")));
    assertThat(cli.run("inbox", "alice").exitCode()).isZero();
  }

  /** How a copy of the store is damaged. */
  enum Damage {
    BYTES_FLIPPED_IN_THE_MIDDLE,
    HEADER_ZEROED,
    TRUNCATED_TO_HALF,
    TRUNCATED_TO_ZERO;

    void apply(Path file) throws IOException {
      byte[] bytes = Files.readAllBytes(file);
      switch (this) {
        case BYTES_FLIPPED_IN_THE_MIDDLE -> {
          // Everything between the two file headers and the last block.
          for (int i = 8192; i < bytes.length - 4096; i++) {
            bytes[i] ^= (byte) 0xa5;
          }
          Files.write(file, bytes);
        }
        case HEADER_ZEROED -> {
          Arrays.fill(bytes, 0, 8192, (byte) 0);
          Files.write(file, bytes);
        }
        case TRUNCATED_TO_HALF -> Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        case TRUNCATED_TO_ZERO -> Files.write(file, new byte[0]);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void everyCommandSaysWhatHappenedAndRepairBringsBackEveryMessage(Damage damage)
      throws IOException {
    copy(original, home);
    Path database = home.resolve("agent-msg.mv.db");
    damage.apply(database);
    byte[] damaged = Files.readAllBytes(database);
    InProcessCli cli = new InProcessCli(home);

    Result list = cli.run("list");
    List<String> problems = lines(list.stderr());
    assertThat(problems).as(list.toString()).hasSize(1);
    assertThat(problems.get(0))
        .matches("(error\\[store-corrupt]|warning\\[store-rewound]): .*")
        .contains("run: agent-msg doctor --repair")
        .doesNotContain("[90030", "recovery tool", "Exception");
    if (damage == Damage.HEADER_ZEROED) {
      assertThat(list.exitCode()).isEqualTo(1);
      assertThat(problems.get(0)).startsWith("error[store-corrupt]: the database file ");
    }
    if (damage == Damage.TRUNCATED_TO_ZERO) {
      assertThat(problems.get(0)).startsWith("warning[store-rewound]: the message store ");
    }
    Result doctor = cli.run("doctor");
    assertThat(doctor.exitCode()).as(doctor.toString()).isEqualTo(1);
    assertThat(doctor.stdout()).startsWith("store: ").contains("(fix: agent-msg doctor --repair)");

    Result repair = cli.run("doctor", "--repair");
    assertThat(repair.exitCode()).as(repair.toString()).isZero();
    assertThat(repair.stdout())
        .contains("set the damaged file aside as ", "mirror: complete")
        .contains("and 3 agents");
    List<Path> aside;
    try (Stream<Path> files = Files.list(home)) {
      aside =
          files
              .filter(
                  file ->
                      file.getFileName()
                          .toString()
                          .matches("agent-msg\\.mv\\.db\\.damaged-[0-9TZ]+"))
              .toList();
    }
    assertThat(aside).hasSize(1);
    if (damage == Damage.HEADER_ZEROED) {
      assertThat(Files.readAllBytes(aside.get(0))).isEqualTo(damaged); // as it was, never deleted
    }

    Result after = cli.run("list");
    assertThat(after.stderr()).isEmpty();
    assertThat(after.stdout()).contains("alice", "bob", "carol");
    Set<String> unread = new HashSet<>(ids(cli.run("inbox", "bob", "--json")));
    assertThat(unread).containsExactlyInAnyOrderElementsOf(UNREAD);
    List<String> all = ids(cli.run("history", "bob", "--limit", "100", "--json"));
    assertThat(all).containsAll(READ).containsAll(UNREAD).hasSize(READ.size() + UNREAD.size());
    assertThat(cli.run("doctor").exitCode()).isZero();
    assertThat(cli.run("doctor", "--repair").stdout()).doesNotContain("set the damaged file");
  }

  @Test
  void readOnlyCallsLeaveTheHighWaterMarkAloneAndWritesRaiseIt() throws IOException {
    copy(original, home);
    InProcessCli cli = new InProcessCli(home);
    Path mark = home.resolve(HighWater.FILE_NAME);
    assertThat(Files.readString(mark)).isEqualTo("seq=41 agents=3\n");
    Object before = Files.readAttributes(mark, "unix:ino").get("ino");
    for (String[] call :
        List.of(
            new String[] {"list"},
            new String[] {"history", "bob"},
            new String[] {"status", UNREAD.get(0)},
            new String[] {"inbox", "carol"})) {
      assertThat(cli.run(call).exitCode()).isZero();
    }
    assertThat(Files.readAttributes(mark, "unix:ino").get("ino")).isEqualTo(before);
    id(cli.run("send", "carol", "one more", "-s", "alice"));
    assertThat(Files.readString(mark)).isEqualTo("seq=42 agents=3\n");
  }

  private static String id(Result sent) {
    assertThat(sent.exitCode()).as(sent.toString()).isZero();
    String[] words = sent.stdout().split(" ");
    return words[1];
  }

  private static List<String> ids(Result json) {
    assertThat(json.exitCode()).as(json.toString()).isZero();
    List<String> ids = new ArrayList<>();
    for (String line : lines(json.stdout())) {
      int start = line.indexOf("\"id\":\"") + 6;
      ids.add(line.substring(start, line.indexOf('"', start)));
    }
    return ids;
  }

  private static List<String> lines(String text) {
    return text.isEmpty() ? List.of() : List.of(text.split("\n"));
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
