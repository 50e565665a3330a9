package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.ChildJvm;
import agentmsg.testing.InProcessCli;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sender in one process waits for a receipt that a reader in another process gives. */
class ReceiptsIT {
  @TempDir Path home;

  @Test
  void waitAckIsWokenByAnAckFromAnotherProcess() throws Exception {
    InProcessCli cli = new InProcessCli(home);
    cli.run("register", "alice");
    cli.run("register", "bob");
    // A one-hour safety net: only the receipt file's watch event can end the wait in time.
    try (ChildJvm sender =
        ChildJvm.cli(
            home,
            Map.of(),
            "send",
            "bob",
            "please ack",
            "-s",
            "alice",
            "--ack-required",
            "--wait-ack",
            "120",
            "-i",
            "3600000")) {
      String line = sender.nextLine(60);
      assertThat(line).as(sender.stderrSoFar()).matches("Message \\S+ sent to bob");
      String id = line.split(" ")[1];

      assertThat(cli.run("ack", id, "-s", "bob").exitCode()).isZero();

      ChildJvm.Result result = sender.awaitExit(60);
      assertThat(result.exitCode()).as(result.toString()).isZero();
      assertThat(result.stdout()).contains("Acked by bob at 20");
    }
  }

  @Test
  void waitReadIsWokenWhenTheRecipientReadsInAnotherProcess() throws Exception {
    InProcessCli cli = new InProcessCli(home);
    cli.run("register", "alice");
    cli.run("register", "bob");
    try (ChildJvm sender =
        ChildJvm.cli(
            home,
            Map.of(),
            "send",
            "bob",
            "read me",
            "-s",
            "alice",
            "--wait-read",
            "120",
            "-i",
            "3600000")) {
      assertThat(sender.nextLine(60)).as(sender.stderrSoFar()).startsWith("Message ");
      assertThat(cli.run("inbox", "bob").stdout()).contains("read me");
      ChildJvm.Result result = sender.awaitExit(60);
      assertThat(result.exitCode()).as(result.toString()).isZero();
      assertThat(result.stdout()).contains("Read by bob at 20");
    }
  }
}
