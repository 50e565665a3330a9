package agentmsg.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The server benchmark: a real agent-msg server on a fresh data home and a loopback port, driven by
 * plain WebSocket clients in this JVM. Measures (a) the round trip send -> stored -> pushed -> ack
 * -> delivered one message at a time, (b) throughput with 1 and 10 pipelining senders, counting a
 * message when its {@code delivered} arrives, and (c) the server's RSS with 1,000 connected
 * receivers and the round trip under that load. Run it with {@code bench/run-server}; see
 * bench/README.md.
 */
public final class ServerBench {
  private static final double TARGET_ROUND_TRIP_MS = 1.0;
  private static final double TARGET_RATE = 20_000;

  /** A realistic short message: a dozen words for the word index. */
  private static final String BODY =
      "please review the change in src/main and reply when the build is green, message ";

  private ServerBench() {}

  static final class Settings {
    Path root;
    int rtWarmups = 500;
    int rtMessages = 2_000;
    int tpMessages = 100_000;
    int tpSeconds = 20;
    int tpRuns = 3;
    int window = 1_000;
    List<Integer> senders = List.of(1, 10);
    int idle = 1_000;
    boolean child = true;
    boolean inProcess = false;
    String label = "";
    String commandLine = "bench/run-server";
  }

  /** One way of running the server and its figures. */
  static final class ModeResult {
    final String mode;
    RoundTrip roundTrip;
    final List<Throughput> throughput = new ArrayList<>();
    Crowd crowd;
    String serverJvm = "";

    ModeResult(String mode) {
      this.mode = mode;
    }
  }

  /**
   * @param ping a {@code ping} answered by {@code pong} on the sender's connection: one loopback
   *     round trip through the server with no store work, the floor under each of the two round
   *     trips a message makes (send -> `stored`, and `message` -> `ack` -> `delivered`)
   */
  record RoundTrip(Stats total, Stats stored, Stats pushed, Stats ping) {}

  /**
   * @param cpuMicrosPerMessage the server process's CPU time per message in each run, empty when
   *     the server runs in the harness JVM
   * @param threadMicrosPerMessage the same over all runs by thread name, largest first (threads
   *     that ended during a run are left out), empty when the server runs in the harness JVM
   */
  record Throughput(
      int senders,
      List<Double> rates,
      long messagesPerRun,
      double seconds,
      List<Double> cpuMicrosPerMessage,
      Map<String, Double> threadMicrosPerMessage) {
    double median() {
      List<Double> sorted = new ArrayList<>(rates);
      Collections.sort(sorted);
      return sorted.get(sorted.size() / 2);
    }
  }

  record Crowd(
      int connections, long rssBeforeKib, long rssWithKib, long rssAfterKib, RoundTrip rt) {}

  public static void main(String[] args) throws Exception {
    Settings settings = parse(args);
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    String loadBefore = Machine.loadAverage();
    List<ModeResult> results = new ArrayList<>();
    Setup.Jdk jdk;
    QueuedThreadPool pool = new QueuedThreadPool(32, 4);
    pool.setName("bench-client");
    pool.setDaemon(true);
    HttpClient http = new HttpClient();
    http.setExecutor(pool);
    WebSocketClient client = new WebSocketClient(http);
    client.setIdleTimeout(Duration.ofMinutes(5));
    http.start();
    client.start();
    try (Setup setup = new Setup(settings.root, null)) {
      jdk = setup.jdk("default", null);
      List<Boolean> modes = new ArrayList<>();
      if (settings.child) {
        modes.add(false);
      }
      if (settings.inProcess) {
        modes.add(true);
      }
      for (boolean inProcess : modes) {
        ModeResult result =
            new ModeResult(
                inProcess
                    ? "in the harness JVM (AgentMsgServer)"
                    : "child process (bin/agent-msg server -q --no-auth)");
        progress("server " + result.mode);
        new Runner(setup, jdk, client, settings, inProcess).run(result);
        results.add(result);
      }
    } finally {
      client.stop();
      http.stop();
    }
    String markdown = markdown(settings, jdk, started, loadBefore, Machine.loadAverage(), results);
    Path dir = Files.createDirectories(settings.root.resolve("bench/results"));
    String name =
        started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"))
            + "-server"
            + (settings.label.isEmpty()
                ? ""
                : "-" + settings.label.replaceAll("[^A-Za-z0-9._-]", "-"))
            + ".md";
    Path file = dir.resolve(name);
    Files.writeString(file, markdown);
    System.out.println(markdown);
    System.out.println("Report written to " + settings.root.relativize(file));
  }

  /** Runs the three scenarios against fresh servers of one kind. */
  static final class Runner {
    private final Setup setup;
    private final Setup.Jdk jdk;
    private final WebSocketClient client;
    private final Settings settings;
    private final boolean inProcess;
    private int servers;

    Runner(
        Setup setup, Setup.Jdk jdk, WebSocketClient client, Settings settings, boolean inProcess) {
      this.setup = setup;
      this.jdk = jdk;
      this.client = client;
      this.settings = settings;
      this.inProcess = inProcess;
    }

    void run(ModeResult result) throws Exception {
      try (ServerUnderTest server = start()) {
        result.serverJvm = server.inProcess() ? "harness JVM" : "pid " + server.pid();
        progress("  (a) round trip: " + settings.rtWarmups + " warm-up + " + settings.rtMessages);
        result.roundTrip = roundTrip(server.uri(), "a", settings.rtWarmups, settings.rtMessages);
      }
      for (int senders : settings.senders) {
        try (ServerUnderTest server = start()) {
          progress("  (b) throughput, " + senders + " sender(s): warm-up");
          throughput(server.uri(), "w" + senders, senders, 10_000, settings.tpSeconds);
          List<Double> rates = new ArrayList<>();
          List<Double> cpu = new ArrayList<>();
          long messages = 0;
          double seconds = 0;
          Map<String, Long> threadTicks = new HashMap<>();
          long allMessages = 0;
          for (int run = 1; run <= settings.tpRuns; run++) {
            long ticksBefore = server.cpuTicks();
            Map<String, Long> threadsBefore = server.threadCpuTicks();
            double[] figures =
                throughput(
                    server.uri(),
                    "b" + senders + "-" + run,
                    senders,
                    settings.tpMessages,
                    settings.tpSeconds);
            rates.add(figures[0]);
            if (ticksBefore >= 0) {
              cpu.add(
                  (server.cpuTicks() - ticksBefore)
                      * 1e6
                      / setup.clockTicksPerSecond()
                      / figures[1]);
            }
            server
                .threadCpuTicks()
                .forEach(
                    (name, ticks) -> {
                      long before = threadsBefore.getOrDefault(name, 0L);
                      threadTicks.merge(name, Math.max(0, ticks - before), Long::sum);
                    });
            allMessages += (long) figures[1];
            messages = (long) figures[1];
            seconds = figures[2];
            progress(
                String.format(
                    Locale.ROOT,
                    "  (b) run %d: %.0f msg/s (%d messages in %.2f s)",
                    run,
                    figures[0],
                    (long) figures[1],
                    figures[2]));
          }
          Map<String, Double> byThread = new LinkedHashMap<>();
          long counted = allMessages;
          threadTicks.entrySet().stream()
              .filter(entry -> entry.getValue() > 0)
              .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
              .forEach(
                  entry ->
                      byThread.put(
                          entry.getKey(),
                          entry.getValue() * 1e6 / setup.clockTicksPerSecond() / counted));
          result.throughput.add(new Throughput(senders, rates, messages, seconds, cpu, byThread));
        }
      }
      if (settings.idle > 0) {
        try (ServerUnderTest server = start()) {
          progress("  (c) " + settings.idle + " connected agents");
          roundTrip(server.uri(), "cw", settings.rtWarmups, 100);
          long before = server.rssKib();
          List<WsPeer> idle = new ArrayList<>();
          try {
            connectIdle(server.uri(), settings.idle, idle);
            long with = server.rssKib();
            RoundTrip rt = roundTrip(server.uri(), "c", settings.rtWarmups, settings.rtMessages);
            long after = server.rssKib();
            result.crowd = new Crowd(idle.size(), before, with, after, rt);
          } finally {
            for (WsPeer peer : idle) {
              peer.close();
            }
          }
        }
      }
    }

    private ServerUnderTest start() throws Exception {
      return ServerUnderTest.start(setup, jdk, inProcess, (inProcess ? "in" : "child") + ++servers);
    }

    private WsPeer connect(URI uri, String agent, boolean receive, WsPeer.Handler handler)
        throws Exception {
      WsPeer peer = new WsPeer(agent, handler);
      client.connect(peer, uri).get(30, TimeUnit.SECONDS);
      peer.hello(receive);
      peer.awaitWelcome(30_000);
      return peer;
    }

    /** A recipient that acks every message the moment it arrives. */
    private WsPeer recipient(URI uri, String agent, AtomicLong pushedAt) throws Exception {
      return connect(
          uri,
          agent,
          true,
          (peer, type, text, nanos) -> {
            if ("message".equals(type)) {
              if (pushedAt != null) {
                pushedAt.set(nanos);
              }
              peer.ack(WsPeer.field(text, "id"));
            }
          });
    }

    RoundTrip roundTrip(URI uri, String prefix, int warmups, int count) throws Exception {
      return roundTrip(uri, uri, prefix, warmups, count);
    }

    /** The round trip of a recipient connected to {@code receiverUri} from a sender on another. */
    RoundTrip roundTrip(URI receiverUri, URI senderUri, String prefix, int warmups, int count)
        throws Exception {
      AtomicLong pushedAt = new AtomicLong();
      AtomicLong storedAt = new AtomicLong();
      AtomicReference<CompletableFuture<Long>> pending = new AtomicReference<>();
      WsPeer receiver = recipient(receiverUri, prefix + "-r", pushedAt);
      WsPeer sender =
          connect(
              senderUri,
              prefix + "-s",
              false,
              (peer, type, text, nanos) -> {
                if ("stored".equals(type)) {
                  storedAt.set(nanos);
                } else if ("delivered".equals(type) || "pong".equals(type)) {
                  pending.get().complete(nanos);
                } else if ("error".equals(type)) {
                  pending.get().completeExceptionally(new IllegalStateException(text));
                }
              });
      List<Double> total = new ArrayList<>(count);
      List<Double> stored = new ArrayList<>(count);
      List<Double> pushed = new ArrayList<>(count);
      List<Double> ping = new ArrayList<>(count);
      try {
        for (int i = 0; i < warmups + count; i++) {
          CompletableFuture<Long> done = new CompletableFuture<>();
          pending.set(done);
          long start = System.nanoTime();
          sender.sendMessage("c" + i, receiver.agent(), BODY + i);
          long end = done.get(30, TimeUnit.SECONDS);
          if (i >= warmups) {
            total.add((end - start) / 1e6);
            stored.add((storedAt.get() - start) / 1e6);
            pushed.add((pushedAt.get() - start) / 1e6);
          }
        }
        for (int i = 0; i < count; i++) {
          CompletableFuture<Long> done = new CompletableFuture<>();
          pending.set(done);
          long start = System.nanoTime();
          sender.send("{\"type\":\"ping\"}");
          ping.add((done.get(30, TimeUnit.SECONDS) - start) / 1e6);
        }
      } finally {
        sender.close();
        receiver.close();
      }
      return new RoundTrip(Stats.of(total), Stats.of(stored), Stats.of(pushed), Stats.of(ping));
    }

    /**
     * {@code senders} senders, each to its own recipient, each with up to {@code window} messages
     * sent and not yet delivered, until {@code total} messages are sent or {@code maxSeconds} pass.
     *
     * @return messages delivered per second, the messages, and the seconds from the first send to
     *     the last {@code delivered}
     */
    double[] throughput(URI uri, String prefix, int senders, int total, int maxSeconds)
        throws Exception {
      return throughput(List.of(uri), List.of(uri), prefix, senders, total, maxSeconds);
    }

    /**
     * Like {@link #throughput(URI, String, int, int, int)}, sender {@code i} connected to {@code
     * senderUris[i % n]} and its recipient to {@code receiverUris[i % n]}: servers sharing one
     * database, each message crossing from one to another.
     */
    double[] throughput(
        List<URI> receiverUris,
        List<URI> senderUris,
        String prefix,
        int senders,
        int total,
        int maxSeconds)
        throws Exception {
      List<WsPeer> receivers = new ArrayList<>();
      List<WsPeer> sending = new ArrayList<>();
      AtomicLong delivered = new AtomicLong();
      AtomicLong lastDelivered = new AtomicLong();
      AtomicReference<String> error = new AtomicReference<>();
      List<Semaphore> windows = new ArrayList<>();
      try {
        for (int i = 0; i < senders; i++) {
          receivers.add(
              recipient(receiverUris.get(i % receiverUris.size()), prefix + "-r" + i, null));
          Semaphore window = new Semaphore(settings.window);
          windows.add(window);
          sending.add(
              connect(
                  senderUris.get(i % senderUris.size()),
                  prefix + "-s" + i,
                  false,
                  (peer, type, text, nanos) -> {
                    if ("delivered".equals(type)) {
                      lastDelivered.set(nanos);
                      delivered.incrementAndGet();
                      window.release();
                    } else if ("error".equals(type)) {
                      error.compareAndSet(null, text);
                      window.release();
                    }
                  }));
        }
        int each = total / senders;
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(maxSeconds);
        AtomicLong sent = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
          WsPeer sender = sending.get(i);
          Semaphore window = windows.get(i);
          String to = receivers.get(i).agent();
          Thread thread =
              new Thread(
                  () -> {
                    try {
                      for (int n = 0; n < each && System.nanoTime() < deadline; n++) {
                        if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
                          error.compareAndSet(null, "no delivered for 30 s");
                          return;
                        }
                        sender.sendMessage("m" + n, to, BODY + n);
                        sent.incrementAndGet();
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  },
                  "bench-sender-" + i);
          thread.start();
          threads.add(thread);
        }
        for (Thread thread : threads) {
          thread.join();
        }
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (delivered.get() < sent.get() && System.nanoTime() < waitUntil) {
          Thread.sleep(5);
        }
        if (error.get() != null || delivered.get() < sent.get()) {
          throw new IllegalStateException(
              "throughput run "
                  + prefix
                  + ": "
                  + delivered.get()
                  + " of "
                  + sent.get()
                  + " delivered; "
                  + error.get());
        }
        double seconds = (lastDelivered.get() - start) / 1e9;
        return new double[] {delivered.get() / seconds, delivered.get(), seconds};
      } finally {
        for (WsPeer peer : sending) {
          peer.close();
        }
        for (WsPeer peer : receivers) {
          peer.close();
        }
      }
    }

    /** Opens {@code count} receiving connections, 50 at a time, each welcomed. */
    void connectIdle(URI uri, int count, List<WsPeer> peers) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      for (int from = 0; from < count; from += 50) {
        List<WsPeer> batch = new ArrayList<>();
        List<Future<Session>> opening = new ArrayList<>();
        for (int i = from; i < Math.min(count, from + 50); i++) {
          WsPeer peer =
              new WsPeer(String.format(Locale.ROOT, "idle-%04d", i), (p, type, text, nanos) -> {});
          batch.add(peer);
          opening.add(client.connect(peer, uri));
        }
        for (Future<Session> future : opening) {
          future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        peers.addAll(batch);
        for (WsPeer peer : batch) {
          peer.hello(true);
        }
        for (WsPeer peer : batch) {
          peer.awaitWelcome(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
      }
    }
  }

  private static String markdown(
      Settings settings,
      Setup.Jdk jdk,
      ZonedDateTime started,
      String loadBefore,
      String loadAfter,
      List<ModeResult> results) {
    StringBuilder md = new StringBuilder();
    md.append("# agent-msg server benchmark, ")
        .append(started.format(DateTimeFormatter.ISO_LOCAL_DATE))
        .append(' ')
        .append(started.format(DateTimeFormatter.ofPattern("HH:mm:ss")))
        .append(" UTC\n\n");
    md.append("- Command: `").append(settings.commandLine).append("`\n");
    md.append("- Machine: ").append(Machine.describe()).append('\n');
    md.append("- Server JDK: ").append(jdk.label()).append('\n');
    md.append("- Harness JVM: ")
        .append(System.getProperty("java.vm.name"))
        .append(' ')
        .append(System.getProperty("java.runtime.version"))
        .append('\n');
    md.append("- Load average (1/5/15 min): ")
        .append(loadBefore)
        .append(" at the start, ")
        .append(loadAfter)
        .append(" at the end (2 cores shared with other work: figures are noisy)\n");
    md.append(
        "- Clients: Jetty WebSocketClient in the harness JVM, plain JSON frames; loopback; a fresh"
            + " data home per server; every message stored and synced (`CHECKPOINT SYNC`) before"
            + " `stored`, acked by its recipient on arrival, and counted when `delivered` reaches"
            + " the sender\n\n");
    for (ModeResult result : results) {
      md.append("## Server: ").append(result.mode).append("\n\n");
      md.append("### (a) Round trip, one message at a time\n\n");
      md.append(
          "send -> `stored` -> `message` pushed -> `ack` -> `delivered`, timed at the sender;"
              + " after "
              + settings.rtWarmups
              + " warm-up messages.\n\n");
      roundTripTable(md, result.roundTrip, "");
      md.append("\n### (b) Throughput, pipelined, persisted and acked\n\n");
      md.append(
          "Each sender sends to its own recipient, with up to "
              + settings.window
              + " messages sent and not yet delivered; up to "
              + settings.tpMessages
              + " messages (or "
              + settings.tpSeconds
              + " s) per run, after a 10,000-message warm-up; rate = messages / (first send to"
              + " last `delivered`).\n\n");
      md.append(
          "| senders | median msg/s | runs (msg/s) | messages per run | target | ratio | server CPU"
              + " per message |\n");
      md.append("|---|---|---|---|---|---|---|\n");
      for (Throughput tp : result.throughput) {
        StringBuilder runs = new StringBuilder();
        for (double rate : tp.rates()) {
          runs.append(runs.length() == 0 ? "" : ", ").append(rate(rate));
        }
        md.append("| ")
            .append(tp.senders())
            .append(" | **")
            .append(rate(tp.median()))
            .append("** | ")
            .append(runs)
            .append(" | ")
            .append(tp.messagesPerRun())
            .append(" | >= ")
            .append(rate(TARGET_RATE))
            .append(" | ")
            .append(String.format(Locale.ROOT, "%.2fx", tp.median() / TARGET_RATE))
            .append(" | ")
            .append(cpuText(tp.cpuMicrosPerMessage()))
            .append(" |\n");
      }
      for (Throughput tp : result.throughput) {
        if (!tp.threadMicrosPerMessage().isEmpty()) {
          md.append("\nServer CPU per message by thread, ")
              .append(tp.senders())
              .append(" sender(s), all runs (`/proc/<pid>/task`; a name keeps 15 characters): ");
          StringBuilder threads = new StringBuilder();
          double other = 0;
          int shown = 0;
          for (Map.Entry<String, Double> entry : tp.threadMicrosPerMessage().entrySet()) {
            if (shown++ < 8) {
              threads
                  .append(threads.length() == 0 ? "" : ", ")
                  .append('`')
                  .append(entry.getKey())
                  .append("` ")
                  .append(String.format(Locale.ROOT, "%.0f µs", entry.getValue()));
            } else {
              other += entry.getValue();
            }
          }
          md.append(threads)
              .append(String.format(Locale.ROOT, ", other threads %.0f µs.\n", other));
        }
      }
      if (result.crowd != null) {
        Crowd crowd = result.crowd;
        md.append("\n### (c) ").append(crowd.connections()).append(" connected agents\n\n");
        md.append(
            "Server RSS (VmRSS of "
                + result.serverJvm
                + (result.serverJvm.startsWith("harness") ? ", clients included" : "")
                + "): "
                + mib(crowd.rssBeforeKib())
                + " before, "
                + mib(crowd.rssWithKib())
                + " with "
                + crowd.connections()
                + " receiving connections, "
                + mib(crowd.rssAfterKib())
                + " after the round trips below ("
                + String.format(
                    Locale.ROOT,
                    "%.0f KiB",
                    (crowd.rssWithKib() - crowd.rssBeforeKib()) / (double) crowd.connections())
                + " per connection).\n\n");
        roundTripTable(md, crowd.rt(), " (with " + crowd.connections() + " connected)");
      }
      md.append('\n');
    }
    return md.toString();
  }

  private static void roundTripTable(StringBuilder md, RoundTrip rt, String suffix) {
    md.append("| figure | N | median | p90 | p99 | min - max | target | ratio |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    row(md, "round trip to `delivered`" + suffix, rt.total(), true);
    row(md, "send -> `stored`", rt.stored(), false);
    row(md, "send -> `message` at recipient", rt.pushed(), false);
    row(md, "`ping` -> `pong` (no store work; a message makes two such trips)", rt.ping(), false);
  }

  private static void row(StringBuilder md, String name, Stats stats, boolean target) {
    md.append("| ")
        .append(name)
        .append(" | ")
        .append(stats.n())
        .append(" | ")
        .append(target ? "**" : "")
        .append(Stats.ms(stats.median()))
        .append(" ms")
        .append(target ? "**" : "")
        .append(" | ")
        .append(Stats.ms(stats.p90()))
        .append(" ms | ")
        .append(Stats.ms(stats.p99()))
        .append(" ms | ")
        .append(stats.range())
        .append(" ms | ")
        .append(target ? "< 1 ms" : "")
        .append(" | ")
        .append(
            target
                ? String.format(Locale.ROOT, "%.2fx", stats.median() / TARGET_ROUND_TRIP_MS)
                : "")
        .append(" |\n");
  }

  private static String cpuText(List<Double> micros) {
    if (micros.isEmpty()) {
      return "(in process: not separable)";
    }
    StringBuilder text = new StringBuilder();
    for (double value : micros) {
      text.append(text.length() == 0 ? "" : ", ")
          .append(String.format(Locale.ROOT, "%.0f µs", value));
    }
    return text.toString();
  }

  private static String rate(double rate) {
    return String.format(Locale.ROOT, "%,.0f", rate);
  }

  private static String mib(long kib) {
    return String.format(Locale.ROOT, "%.0f MiB", kib / 1024.0);
  }

  private static void progress(String text) {
    System.err.println("bench-server: " + text);
  }

  static Settings parse(String[] args) {
    return parse(args, "bench/run-server");
  }

  static Settings parse(String[] args, String command) {
    Settings settings = new Settings();
    StringBuilder commandLine = new StringBuilder(command);
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--root")) {
        settings.root = Path.of(args[++i]).toAbsolutePath();
        continue;
      }
      commandLine.append(' ').append(arg);
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        commandLine.append(' ').append(args[i + 1]);
      }
      switch (arg) {
        case "--rt-messages" -> settings.rtMessages = positive(arg, args[++i]);
        case "--rt-warmups" -> settings.rtWarmups = positive(arg, args[++i]);
        case "--messages" -> settings.tpMessages = positive(arg, args[++i]);
        case "--seconds" -> settings.tpSeconds = positive(arg, args[++i]);
        case "--runs" -> settings.tpRuns = positive(arg, args[++i]);
        case "--window" -> settings.window = positive(arg, args[++i]);
        case "--senders" -> {
          List<Integer> senders = new ArrayList<>();
          for (String count : args[++i].split(",")) {
            senders.add(positive(arg, count.strip()));
          }
          settings.senders = senders;
        }
        case "--idle" -> settings.idle = Integer.parseInt(args[++i]);
        case "--in-process" -> {
          settings.inProcess = true;
          settings.child = false;
        }
        case "--both" -> {
          settings.inProcess = true;
          settings.child = true;
        }
        case "--label" -> settings.label = args[++i];
        case "--quick" -> {
          settings.rtWarmups = 200;
          settings.rtMessages = 500;
          settings.tpMessages = 20_000;
          settings.tpRuns = 1;
          settings.idle = 200;
        }
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    if (settings.root == null) {
      throw new IllegalArgumentException("run me through " + command);
    }
    settings.commandLine = commandLine.toString();
    return settings;
  }

  private static int positive(String name, String value) {
    int number = Integer.parseInt(value);
    if (number < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, was " + value);
    }
    return number;
  }
}
