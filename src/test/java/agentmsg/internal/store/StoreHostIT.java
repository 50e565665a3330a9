package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.Message;
import agentmsg.Options;
import agentmsg.server.AgentMsgServer;
import agentmsg.server.ServerOptions;
import agentmsg.testing.ChildJvm;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store host across real processes: CLI calls start it, connect through it, and it leaves when
 * asked, when idle, when the server takes the file over, and a killed one loses nothing.
 */
@EnabledOnOs(OS.LINUX) // finds the host process through /proc
class StoreHostIT {
  private static final Map<String, String> HOST_ON = Map.of("AGENT_MSG_STORE_HOST", "on");

  @TempDir Path home;

  @AfterEach
  void stopHosts() throws InterruptedException {
    StoreHost.requestStop(home);
    await(() -> hostProcess().isEmpty(), Duration.ofSeconds(15));
    hostProcess().ifPresent(ProcessHandle::destroyForcibly);
  }

  @Test
  void callsStartAHostAndConnectThroughItUntilItIsStopped() throws Exception {
    assertThat(cli("register", "alice").exitCode()).isZero();
    assertThat(awaitServing()).as("a host serves the file after the first call").isTrue();
    ProcessHandle host = hostProcess().orElseThrow();

    for (int i = 0; i < 3; i++) {
      ChildJvm.Result sent = cli("send", "alice", "message " + i, "-s", "bob");
      assertThat(sent.exitCode()).as("%s", sent).isZero();
    }
    ChildJvm.Result inbox = cli("inbox", "alice");
    assertThat(inbox.stdout()).contains("message 0", "message 1", "message 2");
    assertThat(host.isAlive()).as("the same host still serves").isTrue();
    assertThat(hostProcess()).contains(host);

    ChildJvm.Result stop = cli("host", "--stop");
    assertThat(stop.stdout()).isEqualTo("Asked the host to stop");
    assertThat(await(() -> !host.isAlive(), Duration.ofSeconds(15))).isTrue();
    assertThat(StoreHost.isRunning(home)).isFalse();
    assertThat(Files.readString(home.resolve("host.log"))).contains("asked to stop");
    assertThat(cli("host", "--stop").stdout()).isEqualTo("No host is running");

    // Without a host, a call opens the file itself again; the messages are all there.
    try (AgentMessenger alice = AgentMessenger.open(options("alice"))) {
      assertThat(alice.history(10)).extracting(Message::body).hasSize(3);
    }
  }

  @Test
  void aCrowdOfCallsStartsOneHostAndLosesNothing() throws Exception {
    assertThat(ChildJvm.run(home, "register", "alice").exitCode()).isZero();
    assertThat(ChildJvm.run(home, "register", "bob").exitCode()).isZero();
    List<ChildJvm> senders = new ArrayList<>();
    try {
      for (int i = 0; i < 12; i++) {
        senders.add(ChildJvm.cli(home, HOST_ON, "send", "alice", "crowd " + i, "-s", "bob"));
      }
      for (ChildJvm sender : senders) {
        ChildJvm.Result sent = sender.awaitExit(120);
        assertThat(sent.exitCode()).as("%s", sent).isZero();
      }
    } finally {
      senders.forEach(ChildJvm::close);
    }
    assertThat(awaitServing()).isTrue();
    // Every call that found nobody serving may have started one; all but one leave at once.
    assertThat(await(() -> hostCount() == 1, Duration.ofSeconds(15)))
        .as("one host for the data home")
        .isTrue();
    try (AgentMessenger alice = AgentMessenger.open(options("alice"))) {
      assertThat(alice.unread()).extracting(Message::body).hasSize(12);
    }
  }

  @Test
  void theServerTakesTheFileOverFromTheHostWhichGoesOnServingCallsThroughIt() throws Exception {
    assertThat(cli("register", "alice").exitCode()).isZero();
    assertThat(awaitServing()).isTrue();
    ProcessHandle host = hostProcess().orElseThrow();

    try (AgentMsgServer server =
        AgentMsgServer.start(
            ServerOptions.builder()
                .home(home)
                .port(0)
                .log(new PrintStream(OutputStream.nullOutputStream()))
                .build())) {
      assertThat(await(() -> logText().contains("handed the store over"), Duration.ofSeconds(15)))
          .as("the host handed the file to the server")
          .isTrue();
      assertThat(server.port()).isPositive();
      // The host still runs CLI calls: as a client of the server's process, which owns the file.
      ChildJvm.Result sent;
      try (ChildJvm client =
          ChildJvm.start(
              "agentmsg.internal.host.HostClient",
              home,
              Map.of(),
              "send",
              "alice",
              "while the server runs",
              "-s",
              "bob")) {
        client.closeStdin();
        sent = client.awaitExit(60);
      }
      assertThat(sent.exitCode()).as("run by the host (120: sent back) %s", sent).isZero();
      assertThat(host.isAlive()).isTrue();
      ChildJvm.Result inbox = cli("inbox", "alice", "--json");
      assertThat(inbox.stdout()).contains("while the server runs");
    }
  }

  @Test
  void aHostLeavesWhenIdleAndWhenTheDatabaseIsGone() throws Exception {
    assertThat(ChildJvm.run(home, "register", "alice").exitCode()).isZero();
    try (ChildJvm host = ChildJvm.cli(home, Map.of(), "host", "--idle", "1")) {
      ChildJvm.Result idle = host.awaitExit(30);
      assertThat(idle.exitCode()).isZero();
      assertThat(idle.stderr()).contains("idle for 1 s");
    }

    try (ChildJvm host = ChildJvm.cli(home, Map.of(), "host")) {
      assertThat(
              await(
                  () ->
                      StoreHost.isRunning(home)
                          && Files.exists(home.resolve(Store.FILE_NAME + ".lock.db")),
                  Duration.ofSeconds(30)))
          .isTrue();
      // Served once a call gets through it.
      assertThat(ChildJvm.run(home, "list").exitCode()).isZero();
      ChildJvm.Result second = ChildJvm.run(home, "host");
      assertThat(second.exitCode()).as("a second host leaves at once").isZero();
      // A host whose data home is wiped does not keep the old file alive.
      Files.delete(home.resolve(Store.FILE_NAME + ".mv.db"));
      ChildJvm.Result gone = host.awaitExit(30);
      assertThat(gone.stderr()).contains("the database file is gone");
    }
  }

  @Test
  void aKilledHostLosesNothing() throws Exception {
    assertThat(cli("register", "alice").exitCode()).isZero();
    assertThat(awaitServing()).isTrue();
    for (int i = 0; i < 5; i++) {
      assertThat(cli("send", "alice", "before " + i, "-s", "bob").exitCode()).isZero();
    }
    ProcessHandle host = hostProcess().orElseThrow();
    host.destroyForcibly();
    assertThat(await(() -> !host.isAlive(), Duration.ofSeconds(15))).isTrue();

    ChildJvm.Result after = cli("send", "alice", "after the host died", "-s", "bob");
    assertThat(after.exitCode()).as("%s", after).isZero();
    ChildJvm.Result inbox = cli("inbox", "alice", "--json");
    assertThat(inbox.exitCode()).isZero();
    for (String body :
        List.of("before 0", "before 1", "before 2", "before 3", "before 4", "after the host")) {
      assertThat(inbox.stdout()).contains(body);
    }
  }

  private ChildJvm.Result cli(String... args) {
    try (ChildJvm child = ChildJvm.cli(home, HOST_ON, args)) {
      return child.awaitExit(60);
    }
  }

  private Options options(String agent) {
    return Options.builder().home(home).agent(agent).build();
  }

  /** Waits until a host holds its lock and the database's lock file names a server. */
  private boolean awaitServing() throws InterruptedException {
    return await(
        () ->
            StoreHost.isRunning(home)
                && hostProcess().isPresent()
                && Files.exists(home.resolve(Store.FILE_NAME + ".lock.db")),
        Duration.ofSeconds(30));
  }

  private String logText() {
    try {
      return Files.readString(home.resolve("host.log"));
    } catch (IOException none) {
      return "";
    }
  }

  /** The host process started for this test's data home, if one runs. */
  private Optional<ProcessHandle> hostProcess() {
    return hostProcesses().findFirst();
  }

  /** How many host processes run for this test's data home. */
  private long hostCount() {
    return hostProcesses().count();
  }

  private Stream<ProcessHandle> hostProcesses() {
    String tail = "\0" + StoreHost.PROCESS_CLASS + "\0" + home + "\0";
    return ProcessHandle.allProcesses().filter(process -> arguments(process).endsWith(tail));
  }

  /** The whole command line, NUL-separated (the process API cuts long ones short). */
  private static String arguments(ProcessHandle process) {
    try {
      return "\0" + Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
    } catch (IOException | RuntimeException gone) {
      return "";
    }
  }

  private static boolean await(BooleanSupplier condition, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }
}
