package agentmsg.bench;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Wake-up as agents see it: a {@code bin/agent-msg send bob ... -s alice} process (the native
 * client, through the home's store host) is started at t0 while a {@code bin/agent-msg poll bob
 * --json} child waits; t1 is the poll's line read from its stdout, t2 the send process's exit. The
 * store host runs before the poll starts, as when agents already used the home.
 */
final class AgentWakeUpBench {
  /**
   * What one JDK's run measured: t1 - t0, t2 - t0, and t1 - t2 per run (negative: printed before
   * the sender exited).
   */
  record Result(Stats printed, Stats exited, Stats printedAfterExit) {}

  private final Setup setup;
  private final Setup.Jdk jdk;

  AgentWakeUpBench(Setup setup, Setup.Jdk jdk) {
    this.setup = setup;
    this.jdk = jdk;
  }

  Result run(int warmups, int runs) throws IOException, InterruptedException {
    Path home = setup.newHome("agent-wake-" + jdk.key());
    try (AgentMessenger alice =
        AgentMessenger.open(
            Options.builder().home(home).agent("alice").warningListener(w -> {}).build())) {
      alice.register("alice", AgentType.CODEX);
      alice.register("bob", AgentType.OTHER);
    }
    StoreHosts hosts = new StoreHosts(setup, jdk, "agent-wake-" + jdk.key());
    hosts.add("agent wake-up", home);
    List<Double> printed = new ArrayList<>();
    List<Double> exited = new ArrayList<>();
    List<Double> gap = new ArrayList<>();
    Path sendErr = setup.stderrFile("agent-wake-send-" + jdk.key());
    try {
      hosts.ensureServing();
      try (Child poll =
          Child.start(
              List.of(setup.launcher().toString(), "poll", "bob", "--json"),
              setup.env(jdk, home),
              setup.stderrFile("agent-wake-poll-" + jdk.key()))) {
        poll.awaitInotifyWatch(120_000);
        Thread.sleep(500); // past its first query, into the blocking wait
        for (int i = 0; i < warmups + runs; i++) {
          if (i == warmups) {
            hosts.ensureServing(); // a rebuilt jar during the warm-ups: the host is back
          }
          // Long enough for the poll to be asleep again, and for the host's threads to idle.
          Thread.sleep(20 + ThreadLocalRandom.current().nextInt(20));
          String body = "agent wake-up " + i;
          ProcessBuilder builder =
              new ProcessBuilder(setup.launcher().toString(), "send", "bob", body, "-s", "alice");
          builder.environment().clear();
          builder.environment().putAll(setup.env(jdk, home));
          builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
          builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
          builder.redirectError(sendErr.toFile());
          long t0 = System.nanoTime();
          Process send = builder.start();
          CompletableFuture<Long> exit = send.onExit().thenApply(process -> System.nanoTime());
          Child.Line line;
          try {
            line = poll.nextLine(60_000);
          } catch (IllegalStateException noLine) {
            send.destroyForcibly();
            throw new IllegalStateException(
                noLine.getMessage() + "; the send's stderr: " + Files.readString(sendErr), noLine);
          }
          long t2 = awaitExit(send, exit, sendErr);
          if (!line.text().contains(body)) {
            throw new IllegalStateException("expected '" + body + "' from poll, read: " + line);
          }
          if (i >= warmups) {
            printed.add((line.nanos() - t0) / 1e6);
            exited.add((t2 - t0) / 1e6);
            gap.add((line.nanos() - t2) / 1e6);
          }
        }
      }
    } finally {
      hosts.stopAll(List.of(home));
    }
    return new Result(Stats.of(printed), Stats.of(exited), Stats.of(gap));
  }

  private static long awaitExit(Process send, CompletableFuture<Long> exit, Path stderr)
      throws IOException, InterruptedException {
    long t2;
    try {
      t2 = exit.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      send.destroyForcibly();
      throw new IllegalStateException("send did not exit in 60 s", e);
    }
    if (send.exitValue() != 0) {
      throw new IllegalStateException(
          "send exited " + send.exitValue() + ": " + Files.readString(stderr));
    }
    return t2;
  }
}
