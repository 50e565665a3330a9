package agentmsg.bench;

import agentmsg.HistoryQuery;
import agentmsg.Message;
import agentmsg.internal.store.SearchFixture;
import agentmsg.internal.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * History and full-text search at scale: fills a temporary store with N messages (default
 * 1,000,000) by JDBC batches of the rows the store's insert path writes (the message and its words
 * from the same {@link agentmsg.internal.store.Words} tokenizer), a big transaction at a time: a
 * fixture, not the product path, which syncs every send. Then times the history queries through
 * {@link SearchFixture} (the code behind {@code agent-msg history}), each run with a different
 * agent, peer, words or time (H2 answers a repeated identical query from its last result), and
 * checks the first runs of each shape against a plain query written without the planner's tricks.
 * Prints a Markdown report and writes it to {@code bench/results/<date>-<time>-search.md}.
 *
 * <p>Usage: {@code SearchBench [--messages N] [--runs N] [--dir PATH] [--keep] [--results DIR]}.
 * {@code --dir} reuses (or keeps) a filled store; without it a temporary one is deleted at the end.
 */
public final class SearchBench {
  private static final int AGENTS = 20;
  private static final int VOCABULARY = 20_000;
  private static final int BATCH = 20_000;
  private static final int LIMIT = 50;

  /** How many runs of each shape are compared with the plain query (each is a scan). */
  private static final int CHECKED_RUNS = 3;

  private static final long FIRST_MILLIS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private static final long HOUR = 3_600_000L;

  private SearchBench() {}

  private record Shape(String name, IntFunction<HistoryQuery> queries) {}

  public static void main(String[] args) throws Exception {
    int total = 1_000_000;
    int runs = 21;
    Path dir = null;
    boolean keep = false;
    Path results = Path.of("bench", "results");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--messages" -> total = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        case "--keep" -> keep = true;
        case "--results" -> results = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    boolean temporary = dir == null;
    Path home = temporary ? Files.createTempDirectory("agent-msg-search-bench") : dir;
    String loadBefore = Machine.loadAverage();
    StringBuilder md = new StringBuilder();
    try (Store store = Store.open(home, Duration.ofSeconds(60))) {
      long start = System.nanoTime();
      long existing = SearchFixture.count(store);
      // A store filled by an earlier run is reused as it is (its messages are the same).
      if (existing != total) {
        if (existing != 0) {
          throw new IllegalStateException(home + " holds " + existing + " messages, not " + total);
        }
        fill(store, total);
      }
      double fillSeconds = (System.nanoTime() - start) / 1e9;
      List<Shape> shapes = shapes(total);
      md.append("# History and search benchmark, ")
          .append(LocalDateTime.now().withNano(0))
          .append("\n\n");
      md.append("- Command: `SearchBench ").append(String.join(" ", args)).append("`\n");
      md.append("- Machine: ").append(Machine.describe()).append("\n");
      md.append("- Java: ").append(Runtime.version()).append("\n");
      md.append(
          String.format(
              Locale.ROOT,
              "- Store: %,d messages from %d agents, %s (%s); fill %.1f s%s%n",
              total,
              AGENTS,
              home,
              size(home),
              fillSeconds,
              existing == total ? " (reused)" : ""));
      md.append("- Load average before the queries: ").append(loadBefore).append("\n\n");
      md.append(
          "| query (at most "
              + LIMIT
              + " results) | median ms | p90 ms | max ms | N | results of the last run |"
              + " checked |\n");
      md.append("|---|---|---|---|---|---|---|\n");
      for (Shape shape : shapes) {
        md.append(time(store, shape, runs)).append("\n");
      }
      md.append("\nLoad average after: ").append(Machine.loadAverage()).append("\n");
    } finally {
      if (temporary && !keep) {
        delete(home);
      }
    }
    System.out.print(md);
    Files.createDirectories(results);
    Path report =
        results.resolve(
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"))
                + "-search.md");
    Files.writeString(report, md);
    System.out.println("\nWritten to " + report);
  }

  private static List<Shape> shapes(int total) {
    long middle = FIRST_MILLIS + total / 2 * 1_000L;
    long end = FIRST_MILLIS + total * 1_000L;
    List<Shape> shapes = new ArrayList<>();
    shapes.add(new Shape("newest 50 of an agent", run -> HistoryQuery.newest(LIMIT)));
    shapes.add(
        new Shape(
            "--with a peer",
            run -> HistoryQuery.newest(LIMIT).withPeer("agent-" + ((run + 7) % AGENTS))));
    shapes.add(
        new Shape(
            "--thread",
            run -> HistoryQuery.newest(LIMIT).withThread("t-" + (total / 20 + run * 997))));
    shapes.add(
        new Shape(
            "--since/--until, one hour in the middle",
            run ->
                HistoryQuery.newest(LIMIT)
                    .withSince(Instant.ofEpochMilli(middle + run * 3 * HOUR))
                    .withUntil(Instant.ofEpochMilli(middle + run * 3 * HOUR + HOUR))));
    shapes.add(
        new Shape(
            "--since a day ago",
            run -> HistoryQuery.newest(LIMIT).withSince(Instant.ofEpochMilli(end - 24 * HOUR))));
    shapes.add(
        new Shape(
            "--until an early time (the oldest messages)",
            run ->
                HistoryQuery.newest(LIMIT)
                    .withUntil(Instant.ofEpochMilli(FIRST_MILLIS + (run + 1) * 2 * HOUR))));
    shapes.add(
        new Shape("--grep a common word", run -> HistoryQuery.newest(LIMIT).withText("w" + run)));
    shapes.add(
        new Shape(
            "--grep a rare word",
            run -> HistoryQuery.newest(LIMIT).withText(run % 2 == 0 ? "needle" : "w19999")));
    shapes.add(
        new Shape(
            "--grep two common words",
            run -> HistoryQuery.newest(LIMIT).withText("w" + (2 + run) + " w" + (30 + run))));
    shapes.add(
        new Shape(
            "--grep three words",
            run ->
                HistoryQuery.newest(LIMIT)
                    .withText("w" + (1 + run) + " w" + (40 + run) + " w" + (300 + run))));
    shapes.add(
        new Shape(
            "--grep a word, --with a peer",
            run ->
                HistoryQuery.newest(LIMIT)
                    .withText("w" + (5 + run))
                    .withPeer("agent-" + ((run + 3) % AGENTS))));
    shapes.add(
        new Shape(
            "--grep a word, --since/--until one day",
            run ->
                HistoryQuery.newest(LIMIT)
                    .withText("w" + (8 + run))
                    .withSince(Instant.ofEpochMilli(middle - run * 5 * HOUR))
                    .withUntil(Instant.ofEpochMilli(middle - run * 5 * HOUR + 24 * HOUR))));
    shapes.add(
        new Shape(
            "--grep a word, --thread",
            run ->
                HistoryQuery.newest(LIMIT)
                    .withText("w" + run)
                    .withThread("t-" + (total / 30 + run * 991))));
    return shapes;
  }

  /** Inserts the messages and their words, {@link #BATCH} messages per transaction. */
  private static void fill(Store store, int total) {
    Random random = new Random(42);
    // The store writes every commit at once (WRITE_DELAY=0), and H2 then never compacts its file
    // while it is open: a bulk fill would leave tens of GB of old pages. A delay for the fill (a
    // fixture, nothing to lose) lets H2's background writer compact; the store's setting returns
    // after it.
    SearchFixture.writeDelay(store, 500);
    for (int done = 0; done < total; done += BATCH) {
      int count = Math.min(BATCH, total - done);
      List<SearchFixture.Row> rows = new ArrayList<>(count);
      for (int i = done; i < done + count; i++) {
        String body = body(random, i);
        String sender = "agent-" + random.nextInt(AGENTS);
        String recipient = "agent-" + random.nextInt(AGENTS);
        rows.add(
            new SearchFixture.Row(
                i + 1L,
                "m-" + i,
                sender,
                recipient,
                body,
                FIRST_MILLIS + i * 1_000L,
                i % 10 == 0 ? "m-" + i : "t-" + (i / 10)));
      }
      SearchFixture.insert(store, rows);
      if ((done / BATCH) % 10 == 9) {
        System.err.printf("filled %,d%n", done + count);
      }
    }
    SearchFixture.writeDelay(store, 0);
    store.sync();
  }

  /** Ten words from a skewed vocabulary; one message in 10,000 holds the rare word "needle". */
  private static String body(Random random, int index) {
    StringBuilder body = new StringBuilder();
    for (int w = 0; w < 10; w++) {
      // Squaring a uniform number skews the choice towards the low, common words.
      double skew = random.nextDouble();
      body.append('w').append((int) (skew * skew * VOCABULARY)).append(' ');
    }
    if (index % 10_000 == 0) {
      body.append("needle");
    }
    return body.toString();
  }

  private static String time(Store store, Shape shape, int runs) {
    List<Double> millis = new ArrayList<>();
    int results = 0;
    int checked = 0;
    for (int run = 0; run < runs; run++) {
      HistoryQuery query = shape.queries().apply(run);
      String agent = "agent-" + (run % AGENTS);
      long begin = System.nanoTime();
      List<Message> found = SearchFixture.history(store, agent, query);
      millis.add((System.nanoTime() - begin) / 1e6);
      results = found.size();
      if (run < CHECKED_RUNS) {
        List<String> expected = SearchFixture.plain(store, agent, query);
        List<String> actual = found.stream().map(Message::id).toList();
        if (!expected.equals(actual)) {
          throw new IllegalStateException(
              shape.name() + ", run " + run + ": expected " + expected + " but got " + actual);
        }
        checked++;
      }
    }
    Stats stats = Stats.of(millis);
    return String.format(
        Locale.ROOT,
        "| %s | %s | %s | %s | %d | %d | %d of %d identical |",
        shape.name(),
        Stats.ms(stats.median()),
        Stats.ms(stats.p90()),
        Stats.ms(stats.max()),
        stats.n(),
        results,
        checked,
        checked);
  }

  private static String size(Path home) throws IOException {
    long bytes = 0;
    try (Stream<Path> files = Files.list(home)) {
      for (Path file : files.toList()) {
        bytes += Files.isRegularFile(file) ? Files.size(file) : 0;
      }
    }
    return String.format(Locale.ROOT, "%.2f GB on disk", bytes / 1e9);
  }

  private static void delete(Path home) throws IOException {
    try (Stream<Path> files = Files.walk(home)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
