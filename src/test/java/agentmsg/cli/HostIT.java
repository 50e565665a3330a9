package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import agentmsg.internal.host.Frames;
import agentmsg.internal.host.HookMark;
import agentmsg.testing.ChildJvm;
import agentmsg.testing.InProcessCli;
import agentmsg.testing.NativeClient;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store host serving CLI calls, with real processes: a host JVM, the native client, the Java
 * client, and a raw socket speaking the protocol.
 */
class HostIT {
  @TempDir Path home;
  private ChildJvm host;

  @BeforeEach
  void startHost() throws Exception {
    InProcessCli local = new InProcessCli(home);
    assertThat(local.run("register", "alice").exitCode()).isZero();
    assertThat(local.run("register", "bob").exitCode()).isZero();
    host = startHostProcess();
  }

  @AfterEach
  void stopHost() {
    if (host != null) {
      host.close();
    }
  }

  @Test
  void aCallOfTheNativeClientIsAnsweredByTheHostAsTheInProcessCallWouldBe() throws Exception {
    Result sent = call("", "send", "bob", "hello from the host", "-s", "alice");
    assertThat(sent.code()).as(sent.toString()).isZero();
    assertThat(sent.out()).matches("Message [0-9A-Z]{26} sent to bob\n");
    Result piped = call("a body\nfrom stdin\n", "send", "bob", "-", "-s", "alice", "--json");
    assertThat(piped.code()).as(piped.toString()).isZero();
    assertThat(piped.out()).startsWith("{\"id\":");
    Result inbox = call("", "inbox", "bob", "--json");
    assertThat(inbox.out().lines()).hasSize(2);
    assertThat(inbox.out()).contains("hello from the host", "a body\\nfrom stdin\\n");
    Result unknown = call("", "sned", "bob");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err())
        .isEqualTo("error[usage]: unknown command 'sned' (see: agent-msg --help)\n");
  }

  @Test
  void relativePathsAndARelativeDataHomeAreTheCallersNotTheHosts() throws Exception {
    Path project =
        Files.createDirectories(home.getParent().resolve(home.getFileName() + "-project"));
    Map<String, String> env = new HashMap<>(baseEnv());
    env.put("AGENT_MSG_HOME", project.relativize(home).toString());
    Result setup = run(nativeCommand("setup", "claude-code", "--write"), env, project, "");
    assertThat(setup.code()).as(setup.toString()).isZero();
    assertThat(project.resolve("CLAUDE.md")).exists();
  }

  @Test
  void aCommandThatRunsForLongAndAClientOfAnotherBuildAreSentBackUnrun() throws Exception {
    Result poll =
        run(
            List.of(NativeClient.path().toString(), "--code", code(), "--", "poll", "bob"),
            baseEnv(),
            home,
            "");
    assertThat(poll.code()).isEqualTo(1);
    assertThat(poll.err()).startsWith("error[no-host]");
    Result otherBuild =
        run(
            List.of(NativeClient.path().toString(), "--code", "/nonexistent.jar", "--", "list"),
            baseEnv(),
            home,
            "");
    assertThat(otherBuild.err()).startsWith("error[no-host]");
    assertThat(
            Raw.call(
                    home,
                    "agent-msg-host 1\n" + Frames.codeStamp(Path.of(code())),
                    List.of("wait", "bob"))
                .type())
        .isEqualTo(Frames.NOT_SERVED);
    assertThat(Raw.call(home, "agent-msg-host 1\n/other.jar\n1 2 3", List.of("list")).type())
        .isEqualTo(Frames.WRONG_BUILD);
    assertThat(
            Raw.call(
                    home, "agent-msg-host 2\n" + Frames.codeStamp(Path.of(code())), List.of("list"))
                .type())
        .isEqualTo(Frames.WRONG_BUILD);
  }

  @Test
  void theHostRunsAgentMsgCommandsOnlyAndNoShell() throws Exception {
    Path marker = home.resolve("pwned");
    Result shell = call("", "$(touch " + marker + ")", "; touch " + marker);
    assertThat(shell.code()).isEqualTo(2);
    assertThat(shell.err()).startsWith("error[usage]: unknown command '$(touch");
    assertThat(marker).doesNotExist();
  }

  @Test
  void anotherUserCanNeitherReachTheSocketNorBeServedThroughIt() throws Exception {
    assumeThat(System.getProperty("user.name"))
        .as("needs root to act as another user")
        .isEqualTo("root");
    Path runuser = Path.of("/usr/sbin/runuser");
    assumeThat(Files.isExecutable(runuser)).isTrue();
    Path binary =
        Files.copy(
            NativeClient.path(), Files.createTempDirectory("client").resolve("agent-msg-client"));
    binary.getParent().toFile().setExecutable(true, false);
    binary.getParent().toFile().setReadable(true, false);
    binary.toFile().setExecutable(true, false);
    home.toFile().setExecutable(true, false);
    for (Path up = home.getParent(); up != null; up = up.getParent()) {
      up.toFile().setExecutable(true, false);
    }
    List<String> asNobody =
        new ArrayList<>(
            List.of(
                runuser.toString(),
                "-u",
                "nobody",
                "--",
                binary.toString(),
                "--code",
                code(),
                "--",
                "list"));
    Result refused = run(asNobody, baseEnv(), Path.of("/"), "");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.out()).isEmpty();
    assertThat(refused.err()).startsWith("error[no-host]");
    // Even with the folder opened to everyone, the host checks who is calling.
    Path folder = Frames.socket(home).getParent();
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setPosixFilePermissions(
        Frames.socket(home), PosixFilePermissions.fromString("rwxrwxrwx"));
    Path python = Path.of("/usr/bin/python3");
    assumeThat(Files.isExecutable(python)).isTrue();
    String script =
        "import socket,struct,sys\n"
            + "s=socket.socket(socket.AF_UNIX);s.connect(sys.argv[1])\n"
            + "def f(t,p): s.sendall(t+struct.pack('>I',len(p))+p)\n"
            // The host closes the connection at once: sending may fail as well as reading.
            + "try:\n"
            + "  f(b'H',sys.argv[2].encode());f(b'A',b'list');f(b'D',b'/');f(b'T',b'0');f(b'R',b'')\n"
            + "  print(len(s.recv(100)))\n"
            + "except OSError:\n  print(0)\n";
    Result raw =
        run(
            List.of(
                runuser.toString(),
                "-u",
                "nobody",
                "--",
                python.toString(),
                "-c",
                script,
                Frames.socket(home).toString(),
                "agent-msg-host 1\n" + Frames.codeStamp(Path.of(code()))),
            baseEnv(),
            Path.of("/"),
            "");
    assertThat(raw.out().strip()).as(raw.toString()).isEqualTo("0");
    assertThat(host.stderrSoFar()).contains("refused a call from another user");
  }

  @Test
  void aClientKilledWhileTheHostWaitsForItsInputStoresNothingAndTheHostServesOthers()
      throws Exception {
    ProcessBuilder builder = new ProcessBuilder(nativeCommand("send", "bob", "-", "-s", "alice"));
    builder.environment().clear();
    builder.environment().putAll(baseEnv());
    Process client = builder.start();
    client.getOutputStream().write("half a mess".getBytes(StandardCharsets.UTF_8));
    client.getOutputStream().flush();
    // The host asked for the input and is reading it: the client is in the middle of its call.
    awaitOpenCalls(1);
    client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    Result others = call("", "send", "bob", "still served", "-s", "alice");
    assertThat(others.code()).as(others.toString()).isZero();
    Result inbox = call("", "inbox", "bob", "--json");
    assertThat(inbox.out().lines()).hasSize(1);
    assertThat(inbox.out()).contains("still served").doesNotContain("half a mess");
  }

  @Test
  void aReaderGoneBeforeItPrintedFindsItsMessagesStillUnread() throws Exception {
    assertThat(call("x".repeat(200_000), "send", "bob", "-", "-s", "alice").code()).isZero();
    // stdout closed at once: the host's output is never printed, so nothing may be marked read.
    ProcessBuilder builder = new ProcessBuilder(nativeCommand("inbox", "bob"));
    builder.environment().clear();
    builder.environment().putAll(baseEnv());
    Process client = builder.start();
    client.getInputStream().close();
    client.waitFor(30, TimeUnit.SECONDS);
    assertThat(client.exitValue()).isEqualTo(1);
    // Still unread: this inbox shows it (one marked read would not be shown again).
    Result after = call("", "inbox", "bob", "--json");
    assertThat(after.out()).contains("x".repeat(1000));
    assertThat(call("", "inbox", "bob").out()).isEqualTo("No new messages for bob.\n");
  }

  @Test
  void aHookWithNothingNewAnswersFromTheMarkAndNeverMissesAMessage() throws Exception {
    Result first = call("{\"hook_event_name\":\"PostToolUse\"}", "hook", "-s", "bob");
    assertThat(first.out()).isEmpty();
    assertThat(first.code()).isZero();
    Path mark = HookMark.file(home, "bob");
    assertThat(mark).exists();
    assertThat(HookMark.nothingNew(home, "bob")).isTrue();
    host.kill9(); // no host (its socket is stale): only the mark can answer now
    host = null;
    Result fast = call("{}", "hook", "-s", "bob");
    assertThat(fast.code()).isZero();
    assertThat(fast.out()).isEmpty();
    assertThat(fast.err()).isEmpty();
    host = startHostProcess();
    Result sent = call("", "send", "bob", "look at this", "-s", "alice");
    assertThat(sent.code()).as(sent.toString()).isZero();
    assertThat(HookMark.nothingNew(home, "bob")).isFalse();
    Result shown = call("{\"hook_event_name\":\"PostToolUse\"}", "hook", "-s", "bob");
    assertThat(shown.out()).contains("additionalContext", "look at this");
    Result again = call("{\"hook_event_name\":\"PostToolUse\"}", "hook", "-s", "bob");
    assertThat(again.out()).isEmpty();
  }

  @Test
  void killingTheHostDuringConcurrentSendsLosesAndDoublesNothing() throws Exception {
    int sends = 60;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Result>> results = new ArrayList<>();
    for (int i = 0; i < sends; i++) {
      String id = "kill-" + i;
      results.add(
          pool.submit(() -> call("", "send", "bob", "message " + id, "-s", "alice", "--id", id)));
      if (i == sends / 2) {
        host.kill9();
      }
    }
    Set<String> acknowledged = new HashSet<>();
    List<String> unsure = new ArrayList<>();
    for (int i = 0; i < sends; i++) {
      Result result = results.get(i).get(60, TimeUnit.SECONDS);
      if (result.code() == 0) {
        acknowledged.add("kill-" + i);
      } else {
        assertThat(result.err())
            .as(result.toString())
            .matches("(?s)error\\[(host-lost|no-host)\\].*");
        unsure.add("kill-" + i);
      }
    }
    pool.shutdown();
    assertThat(unsure).as("calls cut by the kill").isNotEmpty();
    // The unsure ones are sent again by id, here in-process (no host now): each is stored once.
    InProcessCli local = new InProcessCli(home);
    for (String id : unsure) {
      assertThat(local.run("send", "bob", "message " + id, "-s", "alice", "--id", id).exitCode())
          .isZero();
    }
    String inbox = local.run("inbox", "bob", "--all", "--json").stdout();
    List<String> ids =
        inbox.lines().map(line -> line.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1")).toList();
    assertThat(ids).hasSize(sends).doesNotHaveDuplicates();
    assertThat(ids).containsAll(acknowledged);
  }

  @Test
  void theJavaClientGivesTheSameAnswersAndFallsBackWhenNothingRan() throws Exception {
    Result sent =
        run(javaCommand("send", "bob", "from the java client", "-s", "alice"), baseEnv(), home, "");
    assertThat(sent.code()).as(sent.toString()).isZero();
    assertThat(sent.out()).matches("Message [0-9A-Z]{26} sent to bob\n");
    Result poll = run(javaCommand("poll", "bob"), baseEnv(), home, "");
    assertThat(poll.code()).isEqualTo(Frames.FALL_BACK);
    assertThat(poll.out()).isEmpty();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private ChildJvm startHostProcess() {
    return InProcessCli.startHost(home);
  }

  /** Waits until the host has a call open (its thread list shows one). */
  private void awaitOpenCalls(int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() - deadline < 0) {
      long open =
          Files.list(Path.of("/proc", Long.toString(host.pid()), "task"))
              .filter(
                  task -> {
                    try {
                      return Files.readString(task.resolve("comm")).startsWith("agent-msg-call");
                    } catch (IOException gone) {
                      return false;
                    }
                  })
              .count();
      if (open >= count * 2L) {
        return; // a call has its runner and its reader thread
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the host never had " + count + " call(s) open");
  }

  private static String code() {
    return Frames.codeSource().toString();
  }

  private Map<String, String> baseEnv() {
    return Map.of(
        "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
        "AGENT_MSG_HOME", home.toString(),
        "HOSTNAME", "test-host",
        "AGENT_MSG_STORE_HOST", "off",
        "LC_ALL", "C.UTF-8");
  }

  private List<String> nativeCommand(String... args) {
    List<String> command =
        new ArrayList<>(List.of(NativeClient.path().toString(), "--code", code(), "--"));
    command.addAll(List.of(args));
    return command;
  }

  private static List<String> javaCommand(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "agentmsg.internal.host.HostClient"));
    command.addAll(List.of(args));
    return command;
  }

  private Result call(String input, String... args) throws Exception {
    return run(nativeCommand(args), baseEnv(), home, input);
  }

  record Result(int code, String out, String err) {}

  private static Result run(
      List<String> command, Map<String, String> env, Path directory, String input)
      throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process = builder.start();
    CompletableFuture<byte[]> out =
        CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
    process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("finished: " + command).isTrue();
    return new Result(
        process.exitValue(),
        new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8),
        new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
  }

  private static byte[] readAll(java.io.InputStream stream) {
    try {
      return stream.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** A client written here, frame by frame: what the host answers first. */
  static final class Raw {
    static Frames.Frame call(Path home, String hello, List<String> args) throws IOException {
      try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        channel.connect(UnixDomainSocketAddress.of(Frames.socket(home)));
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        Frames.write(request, Frames.HELLO_FRAME, hello + "\n");
        for (String arg : args) {
          Frames.write(request, Frames.ARGUMENT, arg);
        }
        Frames.write(request, Frames.DIRECTORY, home.toString());
        Frames.write(request, Frames.RUN, new byte[0]);
        Frames.output(channel).write(request.toByteArray());
        return Frames.read(new DataInputStream(Frames.input(channel)));
      }
    }
  }
}
