package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.ChildJvm.Result;
import agentmsg.testing.InProcessCli;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchCommandTest {
  @TempDir Path home;
  private InProcessCli cli;

  @BeforeEach
  void agents() {
    cli = new InProcessCli(home);
    assertThat(cli.run("register", "alice").exitCode()).isZero();
    assertThat(cli.run("register", "bob").exitCode()).isZero();
  }

  @AfterEach
  void stopHosts() {
    InProcessCli.stopHosts();
  }

  @Test
  void watchWithNoMailEndsAtItsLifetimeWithExit3() {
    Result expired = cli.run("watch", "bob", "--timeout", "0.2");
    assertThat(expired.exitCode()).as(expired.toString()).isEqualTo(3);
    assertThat(expired.stderr()).contains("Re-arm: agent-msg watch bob --timeout 0.2");
    assertThat(cli.run("watch", "bob", "--timeout", "0", "--json").stdout())
        .isEqualTo(
            "{\"agent\":\"bob\",\"new\":0,\"rearm\":\"agent-msg watch bob --timeout 0 --json\"}");
  }

  @Test
  void watchWakesOnceForNewMailAndReadsNothing() {
    assertThat(cli.run("send", "bob", "run the tests", "-s", "alice").exitCode()).isZero();
    Result woke = cli.run("watch", "bob", "--timeout", "5");
    assertThat(woke.exitCode()).as(woke.toString()).isZero();
    assertThat(woke.stdout())
        .contains("agent-msg: 1 new message for bob from alice. Read: agent-msg inbox bob")
        .contains("Re-arm the watch: agent-msg watch bob --timeout 5");
    assertThat(cli.run("watch", "bob", "--timeout", "0.2").exitCode())
        .as("woken before")
        .isEqualTo(3);
    assertThat(cli.run("inbox", "bob").stdout()).contains("run the tests");

    assertThat(cli.run("send", "bob", "and the lint", "-s", "alice").exitCode()).isZero();
    Result json = cli.run("watch", "bob", "--timeout", "5", "--json");
    assertThat(json.exitCode()).isZero();
    assertThat(json.stdout())
        .startsWith("{\"agent\":\"bob\",\"new\":1,\"from\":[\"alice\"],\"ids\":[");
  }

  @Test
  void mailAlreadyReadNeverWakes() {
    assertThat(cli.run("send", "bob", "seen already", "-s", "alice").exitCode()).isZero();
    assertThat(cli.run("inbox", "bob").stdout()).contains("seen already");
    assertThat(cli.run("watch", "bob", "--timeout", "0.2").exitCode()).isEqualTo(3);
  }

  @Test
  void rewakeExits2WithTheDigestOnStderrOnlyWhenMailCame() {
    Result quiet = cli.run("watch", "bob", "--rewake", "--timeout", "0.2");
    assertThat(quiet.exitCode()).isZero();
    assertThat(quiet.stdout() + quiet.stderr()).isEmpty();
    assertThat(cli.run("send", "bob", "wake up", "-s", "alice").exitCode()).isZero();
    Result woke = cli.run("watch", "bob", "--rewake", "--timeout", "5");
    assertThat(woke.exitCode()).isEqualTo(2);
    assertThat(woke.stdout()).isEmpty();
    assertThat(woke.stderr()).contains("1 new message for bob from alice", "--rewake");
  }

  @Test
  void aBadSessionIsAUsageError() {
    assertThat(cli.run("watch", "bob", "--session", "a/b").exitCode()).isEqualTo(2);
  }
}
