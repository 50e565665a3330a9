package agentmsg.bench;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.Options;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Wake-up latency: a message is sent through the library in this JVM, and a {@code poll --json} or
 * {@code wait --json} child process prints it. The clock runs from {@code send()} returning (the
 * message is committed, synced and mirrored) to the child's line being read from its pipe. Also the
 * idle CPU of the {@code poll} child once the messages stop.
 */
final class WakeUpBench {
  /** What one JDK's run measured. */
  record Result(
      Stats pollFromReturn,
      Stats pollFromCall,
      int printedBeforeReturn,
      Stats waitFromReturn,
      double idleCpuPercent,
      double idleSeconds,
      long idleRssKib) {}

  private final Setup setup;
  private final Setup.Jdk jdk;

  WakeUpBench(Setup setup, Setup.Jdk jdk) {
    this.setup = setup;
    this.jdk = jdk;
  }

  Result run(int warmups, int messages, int waitRuns, int idleSeconds)
      throws IOException, InterruptedException {
    Path home = setup.newHome("wake-" + jdk.key());
    try (AgentMessenger alice = open(home)) {
      alice.register("alice", AgentType.CODEX);
      alice.register("bob", AgentType.OTHER);
      alice.send("bob", "ready");
    }
    List<Double> fromReturn = new ArrayList<>();
    List<Double> fromCall = new ArrayList<>();
    int early = 0;
    double cpuPercent;
    double idleMeasured;
    long rss;
    try (Child poll =
        Child.start(
            List.of(setup.launcher().toString(), "poll", "bob", "--json"),
            setup.env(jdk, home),
            setup.stderrFile("poll-" + jdk.key()))) {
      // The poll prints the unread "ready" once it has opened the database, so it owns it (H2
      // AUTO_SERVER) and this JVM reaches it over loopback, as a CLI send would.
      expect(poll.nextLine(120_000), "ready");
      try (AgentMessenger alice = open(home)) {
        for (int i = 0; i < warmups + messages; i++) {
          pause();
          long called = System.nanoTime();
          Message sent = alice.send("bob", "wake-up " + i);
          long returned = System.nanoTime();
          Child.Line line = poll.nextLine(10_000);
          expect(line, sent.id());
          if (i >= warmups) {
            fromReturn.add((line.nanos() - returned) / 1e6);
            fromCall.add((line.nanos() - called) / 1e6);
            if (line.nanos() < returned) {
              early++;
            }
          }
        }
      }
      // Idle: nothing sent, no other client; the poll should be asleep on its watch.
      Thread.sleep(1000);
      long ticks0 = poll.cpuTicks();
      long t0 = System.nanoTime();
      Thread.sleep(idleSeconds * 1000L);
      long ticks1 = poll.cpuTicks();
      long t1 = System.nanoTime();
      idleMeasured = (t1 - t0) / 1e9;
      cpuPercent = 100.0 * (ticks1 - ticks0) / setup.clockTicksPerSecond() / idleMeasured;
      rss = poll.rssKib();
    }
    Stats waits = waitRuns > 0 ? measureWait(home, waitRuns) : null;
    return new Result(
        Stats.of(fromReturn), Stats.of(fromCall), early, waits, cpuPercent, idleMeasured, rss);
  }

  /**
   * One {@code wait --json} process per message: started, given its watch and a settle time so it
   * is truly waiting, then sent a message. This JVM owns the database here.
   */
  private Stats measureWait(Path home, int runs) throws IOException, InterruptedException {
    List<Double> latencies = new ArrayList<>();
    try (AgentMessenger alice = open(home)) {
      alice.findAgent("bob"); // take the database first
      for (int i = 0; i < runs; i++) {
        try (Child wait =
            Child.start(
                List.of(setup.launcher().toString(), "wait", "bob", "--json", "--timeout", "60"),
                setup.env(jdk, home),
                setup.stderrFile("wait-" + jdk.key()))) {
          wait.awaitInotifyWatch(120_000);
          Thread.sleep(500); // past its first query, into the blocking wait
          Message sent = alice.send("bob", "wait " + i);
          long returned = System.nanoTime();
          Child.Line line = wait.nextLine(10_000);
          expect(line, sent.id());
          latencies.add((line.nanos() - returned) / 1e6);
          if (!wait.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)
              || wait.process().exitValue() != 0) {
            throw new IllegalStateException("wait did not exit 0" + wait.stderrTail());
          }
        }
      }
    }
    return Stats.of(latencies);
  }

  private static AgentMessenger open(Path home) {
    return AgentMessenger.open(
        Options.builder().home(home).agent("alice").warningListener(warning -> {}).build());
  }

  /** A short random gap, so each message finds the reader asleep again. */
  private static void pause() throws InterruptedException {
    Thread.sleep(10 + ThreadLocalRandom.current().nextInt(10));
  }

  private static void expect(Child.Line line, String text) {
    if (!line.text().contains(text)) {
      throw new IllegalStateException("expected a line with '" + text + "', read: " + line.text());
    }
  }
}
