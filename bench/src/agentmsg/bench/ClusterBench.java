package agentmsg.bench;

import agentmsg.testing.PostgresServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Several servers on one PostgreSQL database, measured against the targets in one run: (a)
 * the round trip of a message from a sender on one server to a recipient on another (send -> stored
 * -> message -> ack -> delivered), beside both ends on one server of the same database; (b)
 * throughput with two servers on one database and senders on both (every message crosses servers),
 * beside a single server on its H2 file in the same run; (c) fail-over: a {@code connect -u A,B}
 * receiver whose server A is killed -9, and the time from the kill to its next message (sent
 * through B at the kill). A real PostgreSQL server ({@link PostgresServer}, started by the harness
 * on loopback) and real {@code bin/agent-msg server} children.
 */
public final class ClusterBench {
  private static final double TARGET_CROSS_MS = 5.0;
  private static final double TARGET_FAILOVER_MS = 3_000;

  private ClusterBench() {}

  public static void main(String[] args) throws Exception {
    int failovers = 5;
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--failovers")) {
        failovers = Integer.parseInt(args[++i]);
      } else {
        rest.add(args[i]);
      }
    }
    ServerBench.Settings settings =
        ServerBench.parse(rest.toArray(String[]::new), "bench/run-cluster");
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    String loadBefore = Machine.loadAverage();
    QueuedThreadPool pool = new QueuedThreadPool(32, 4);
    pool.setName("bench-client");
    pool.setDaemon(true);
    HttpClient http = new HttpClient();
    http.setExecutor(pool);
    WebSocketClient client = new WebSocketClient(http);
    client.setIdleTimeout(Duration.ofMinutes(5));
    http.start();
    client.start();
    PostgresServer postgres = PostgresServer.start();
    StringBuilder md = new StringBuilder();
    try (Setup setup = new Setup(settings.root, null)) {
      Setup.Jdk jdk = setup.jdk("default", null);
      ServerBench.Runner runner = new ServerBench.Runner(setup, jdk, client, settings, false);
      md.append("# Several servers on one PostgreSQL: ")
          .append(started.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME))
          .append(" UTC\n\n")
          .append("`")
          .append(settings.commandLine)
          .append("`; ")
          .append(Machine.describe())
          .append("; PostgreSQL ")
          .append(postgres.version())
          .append(" on loopback (fsync on); servers: `bin/agent-msg server -q --no-auth --db ...`")
          .append(" children on ")
          .append(jdk.label())
          .append(".\n\n");

      progress("(a) round trip");
      ServerBench.RoundTrip same;
      ServerBench.RoundTrip cross;
      String db = postgres.newDatabase();
      Stats hop;
      try (ServerUnderTest a = ServerUnderTest.startShared(setup, jdk, "rt-a", db);
          ServerUnderTest b = ServerUnderTest.startShared(setup, jdk, "rt-b", db)) {
        same = runner.roundTrip(a.uri(), a.uri(), "same", settings.rtWarmups, settings.rtMessages);
        cross =
            runner.roundTrip(a.uri(), b.uri(), "cross", settings.rtWarmups, settings.rtMessages);
        hop = notifyHop(db, settings.rtWarmups, settings.rtMessages);
      }
      md.append("## (a) Round trip: send -> stored -> message -> ack -> delivered\n\n")
          .append("| path | n | median | p90 | p99 | target |\n|---|---|---|---|---|---|\n");
      row(md, "sender and recipient on server A", same.total(), "");
      row(
          md,
          "sender on B, recipient on A (cross-server)",
          cross.total(),
          "median < "
              + TARGET_CROSS_MS
              + " ms: "
              + (cross.total().median() < TARGET_CROSS_MS ? "met" : "NOT met"));
      row(md, "cross-server: send -> stored", cross.stored(), "");
      row(md, "cross-server: send -> message at the recipient", cross.pushed(), "");
      row(md, "PostgreSQL alone: commit returned -> NOTIFY heard on another connection", hop, "");
      md.append(
          "\nA cross-server round trip is the same-server one plus two such hops (the stored"
              + " hint to the recipient's server, the delivered hint back): their floor here.\n\n");

      progress("(b) throughput");
      int senders = settings.senders.get(settings.senders.size() - 1);
      List<Double> h2 = new ArrayList<>();
      List<Double> pg = new ArrayList<>();
      String tpDb = postgres.newDatabase();
      try (ServerUnderTest single = ServerUnderTest.start(setup, jdk, false, "tp-h2");
          ServerUnderTest a = ServerUnderTest.startShared(setup, jdk, "tp-a", tpDb);
          ServerUnderTest b = ServerUnderTest.startShared(setup, jdk, "tp-b", tpDb)) {
        runner.throughput(single.uri(), "wh", senders, 5_000, settings.tpSeconds);
        runner.throughput(
            List.of(a.uri(), b.uri()), List.of(b.uri(), a.uri()), "wp", senders, 5_000, 20);
        for (int run = 1; run <= settings.tpRuns; run++) {
          double[] one =
              runner.throughput(
                  single.uri(), "h" + run, senders, settings.tpMessages, settings.tpSeconds);
          h2.add(one[0]);
          double[] two =
              runner.throughput(
                  List.of(a.uri(), b.uri()),
                  List.of(b.uri(), a.uri()),
                  "p" + run,
                  senders,
                  settings.tpMessages,
                  settings.tpSeconds);
          pg.add(two[0]);
          progress(
              String.format(
                  Locale.ROOT,
                  "  run %d: H2 %.0f msg/s, two servers %.0f msg/s",
                  run,
                  one[0],
                  two[0]));
        }
      }
      double h2Median = median(h2);
      double pgMedian = median(pg);
      md.append("## (b) Throughput, ")
          .append(senders)
          .append(" senders, each with up to ")
          .append(settings.window)
          .append(" messages unacknowledged\n\n")
          .append("| servers | runs (msg/s) | median | \n|---|---|---|\n")
          .append("| one server on its H2 file | ")
          .append(rates(h2))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.0f", h2Median))
          .append(" |\n| two servers on one PostgreSQL, senders on both, every message crossing | ")
          .append(rates(pg))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.0f", pgMedian))
          .append(" |\n\nTarget: two servers at least the single H2 server's figure: ")
          .append(pgMedian >= h2Median ? "met" : "NOT met")
          .append(String.format(Locale.ROOT, " (ratio %.2f).\n\n", pgMedian / h2Median));

      progress("(c) fail-over");
      List<Double> failover = new ArrayList<>();
      String foDb = postgres.newDatabase();
      try (ServerUnderTest b = ServerUnderTest.startShared(setup, jdk, "fo-b", foDb)) {
        for (int round = 1; round <= failovers; round++) {
          failover.add(failOver(setup, jdk, foDb, b.uri(), round, client));
          progress(
              String.format(
                  Locale.ROOT, "  round %d: %.0f ms", round, failover.get(failover.size() - 1)));
        }
      }
      Stats fo = Stats.of(failover);
      md.append("## (c) Fail-over\n\n")
          .append(
              "`agent-msg connect -a <agent> --json -u A,B`; server A killed -9; at the kill a"
                  + " sender on B sends; the time from the kill to the receiver's line on stdout"
                  + " (it notices the dead connection, reconnects to B, B pushes).\n\n")
          .append("| rounds | median | max | target |\n|---|---|---|---|\n")
          .append(
              String.format(
                  Locale.ROOT, "| %d | %.0f ms | %.0f ms | ", fo.n(), fo.median(), fo.max()))
          .append("< 3 s: ")
          .append(fo.median() < TARGET_FAILOVER_MS ? "met" : "NOT met")
          .append(" |\n\n");
      md.append("Load average before: ")
          .append(loadBefore)
          .append("; after: ")
          .append(Machine.loadAverage())
          .append(".\n");
    } finally {
      client.stop();
      http.stop();
      postgres.stop();
    }
    Path dir = Files.createDirectories(settings.root.resolve("bench/results"));
    Path file =
        dir.resolve(
            started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss")) + "-cluster.md");
    Files.writeString(file, md.toString());
    System.out.println(md);
    System.out.println("Report written to " + settings.root.relativize(file));
  }

  /**
   * The database's own wake-up latency, the floor under each cross-server hop: the time from a
   * commit carrying a {@code NOTIFY} returning to its sender until another connection, blocked
   * waiting as a server's listener is, hears it. Measured with the servers of (a) still running.
   */
  private static Stats notifyHop(String db, int warmups, int rounds) throws Exception {
    try (java.sql.Connection listening = java.sql.DriverManager.getConnection(db);
        java.sql.Connection sending = java.sql.DriverManager.getConnection(db);
        java.sql.Statement listen = listening.createStatement();
        java.sql.Statement notify = sending.createStatement()) {
      listen.execute("LISTEN agent_msg_bench_hop");
      org.postgresql.PGConnection pg = listening.unwrap(org.postgresql.PGConnection.class);
      java.util.concurrent.BlockingQueue<Long> heard =
          new java.util.concurrent.LinkedBlockingQueue<>();
      Thread listener =
          new Thread(
              () -> {
                try {
                  while (!Thread.currentThread().isInterrupted()) {
                    org.postgresql.PGNotification[] got = pg.getNotifications(1_000);
                    long at = System.nanoTime();
                    for (int i = 0; got != null && i < got.length; i++) {
                      heard.add(at);
                    }
                  }
                } catch (java.sql.SQLException e) {
                  heard.add(-1L);
                }
              },
              "bench-notify-hop");
      listener.setDaemon(true);
      listener.start();
      List<Double> millis = new ArrayList<>();
      for (int round = 0; round < warmups + rounds; round++) {
        notify.execute("SELECT pg_notify('agent_msg_bench_hop', 'x')");
        long committed = System.nanoTime();
        Long at = heard.poll(10, TimeUnit.SECONDS);
        if (at == null || at < 0) {
          throw new IllegalStateException("the NOTIFY was not heard within 10 s");
        }
        if (round >= warmups) {
          millis.add((at - committed) / 1e6);
        }
      }
      listener.interrupt();
      return Stats.of(millis);
    }
  }

  /** One fail-over: milliseconds from killing the receiver's server to its next message. */
  private static double failOver(
      Setup setup, Setup.Jdk jdk, String db, URI b, int round, WebSocketClient client)
      throws Exception {
    String agent = "fo-r" + round;
    try (ServerUnderTest a = ServerUnderTest.startShared(setup, jdk, "fo-a" + round, db)) {
      Path home = setup.newHome("fo-client" + round);
      Path stderr = setup.stderrFile("fo-connect" + round);
      try (Child receiver =
          Child.start(
              List.of(
                  setup.launcher().toString(),
                  "connect",
                  "-a",
                  agent,
                  "--json",
                  "-u",
                  a.uri() + "," + b),
              setup.env(jdk, home),
              stderr)) {
        awaitText(stderr, "Connected to " + a.uri());
        WsPeer sender = new WsPeer("fo-s" + round, (peer, type, text, nanos) -> {});
        client.connect(sender, b).get(30, TimeUnit.SECONDS);
        sender.hello(false);
        sender.awaitWelcome(30_000);
        try {
          sender.sendMessage("before", agent, "before the kill");
          receiver.nextLine(30_000);
          a.kill9();
          long killed = System.nanoTime();
          sender.sendMessage("after", agent, "after the kill");
          Child.Line line = receiver.nextLine(30_000);
          if (!line.text().contains("after the kill")) {
            throw new IllegalStateException("unexpected line after the fail-over: " + line.text());
          }
          return (line.nanos() - killed) / 1e6;
        } finally {
          sender.close();
        }
      }
    }
  }

  private static void awaitText(Path file, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).contains(text)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("no '" + text + "' in " + file);
  }

  private static void row(StringBuilder md, String name, Stats stats, String target) {
    md.append(
        String.format(
            Locale.ROOT,
            "| %s | %d | %s | %s | %s | %s |\n",
            name,
            stats.n(),
            Stats.ms(stats.median()),
            Stats.ms(stats.p90()),
            Stats.ms(stats.p99()),
            target));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static String rates(List<Double> values) {
    List<String> out = new ArrayList<>();
    for (double value : values) {
      out.add(String.format(Locale.ROOT, "%.0f", value));
    }
    return String.join(", ", out);
  }

  private static void progress(String text) {
    System.err.println("[cluster] " + text);
  }
}
